package dev.vstream.api.memory;

import dev.vstream.api.frame.MalformedRecordException;

/**
 * Which part of a stream's memory a token belongs to, with its wire code. The STAR memory of Flash-VStream 2024
 * reads its tokens in this order: [abstract][temporal][retrieved][spatial]. Codes are never reused; the memories
 * of later issues (Flash Memory's context synopsis and detail augmentation) add codes, not versions.
 */
public enum SlotKind {
    /** STAR A: semantic-attention summary of the whole stream (1 token per slot with the paper's P_abs 1). */
    STAR_ABSTRACT(1),
    /** STAR T: weighted K-means centroids of every frame seen (P_tem^2 tokens per slot). */
    STAR_TEMPORAL(2),
    /** STAR R: buffered frames nearest to the heaviest temporal clusters (P_spa^2 tokens per frame). */
    STAR_RETRIEVED(3),
    /** STAR S: the newest frames (P_spa^2 tokens per frame). */
    STAR_SPATIAL(4);

    private final byte code;

    SlotKind(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    public static SlotKind ofCode(byte code) throws MalformedRecordException {
        for (SlotKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        throw new MalformedRecordException("unknown slot kind code " + (code & 0xff));
    }
}
