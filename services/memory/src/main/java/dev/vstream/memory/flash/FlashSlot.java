package dev.vstream.memory.flash;

/** The two memories of Flash Memory, in the order their tokens reach the language model (DAM first). */
public enum FlashSlot {
    /** DAM: full-resolution inputs nearest to the largest synopsis clusters, largest first. */
    DETAIL,
    /** CSM: weighted K-means centroids of the pooled inputs, in time order. */
    SYNOPSIS
}
