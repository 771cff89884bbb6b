package dev.vstream.kernels.attention;

/**
 * The shape of one prefill attention call: {@code q} is {@code (heads, seqLen, headDim)},
 * {@code k} and {@code v} are {@code (kvHeads, seqLen, headDim)}, all fp32 row-major. With
 * grouped-query attention, query head {@code h} reads kv head {@code h / (heads / kvHeads)}.
 */
public record AttentionShape(int heads, int kvHeads, int seqLen, int headDim) {

    public AttentionShape {
        if (heads < 1 || kvHeads < 1 || seqLen < 1 || headDim < 1) {
            throw new IllegalArgumentException("attention dimensions must be positive: " + this);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads " + heads + " is not a multiple of kvHeads " + kvHeads);
        }
        if ((long) heads * seqLen * headDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("q of " + this + " does not fit a float[]");
        }
    }

    /** The kv head that query head {@code head} reads. */
    public int kvHeadOf(int head) {
        return head / (heads / kvHeads);
    }

    /** Floats in {@code q} (and the output). */
    public int queryLength() {
        return heads * seqLen * headDim;
    }

    /** Floats in {@code k} and in {@code v}. */
    public int keyLength() {
        return kvHeads * seqLen * headDim;
    }
}
