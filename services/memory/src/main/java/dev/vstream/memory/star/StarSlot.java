package dev.vstream.memory.star;

/** The four memories of STAR, in the order their tokens reach the language model. */
public enum StarSlot {
    /** A: semantic-attention summary of the whole stream. */
    ABSTRACT,
    /** T: weighted K-means centroids of all frames seen. */
    TEMPORAL,
    /** R: buffered frames nearest to the largest temporal clusters. */
    RETRIEVED,
    /** S: the newest frames. */
    SPATIAL
}
