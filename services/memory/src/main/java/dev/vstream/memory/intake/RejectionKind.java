package dev.vstream.memory.intake;

/**
 * Why a record was dead-lettered, as a closed set: the metric tag and the log key. The free-text reason goes
 * to the record's {@link dev.vstream.api.deadletter.DeadLetter#REASON} header only.
 */
public enum RejectionKind {
    /** The codec refused the record: bad magic, version, JPEG, size, key differing from the stream id, ... */
    MALFORMED("malformed"),
    /** The stream's newest accepted frame already had this sequence. */
    DUPLICATE_SEQUENCE("duplicate-sequence"),
    /** A frame older than the stream's newest accepted one. */
    OUT_OF_ORDER("out-of-order"),
    /** The JPEG does not decode to an image (javax.imageio), or decodes to another size than declared. */
    UNDECODABLE_IMAGE("undecodable-image"),
    /** The image does not suit the vision encoder (smaller than its input). */
    WRONG_IMAGE_SIZE("wrong-image-size"),
    /** The memory could not take the frame in (its snapshot would not be valid, e.g. features past F16's range). */
    MEMORY_UPDATE_FAILED("memory-update-failed"),
    /** Decoding failed in a way the codec does not anticipate (a bug); the record is kept in the DLQ all the same. */
    DECODER_FAILURE("decoder-failure");

    private final String tag;

    RejectionKind(String tag) {
        this.tag = tag;
    }

    /** The value of the {@code reason} metric tag. */
    public String tag() {
        return tag;
    }
}
