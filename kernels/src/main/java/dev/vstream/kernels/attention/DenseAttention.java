package dev.vstream.kernels.attention;

import java.util.Objects;

/**
 * Dense causal and causal sliding-window prefill attention, flash-attention style, the
 * baseline and the fallback of the sparse patterns: every head runs one {@link BlockPass} over
 * the tokens in their own order, query block {@code i} against key blocks {@code [lo, i]},
 * the mask applied on the diagonal block (and the window's far edge) only.
 */
public final class DenseAttention {

    private final TiledAttention kernel;

    public DenseAttention(TiledAttention kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
    }

    /** Causal attention of every head over all earlier tokens. */
    public void causal(float[] q, float[] k, float[] v, AttentionShape shape, float[] out) {
        kernel.forward(q, k, v, shape, AttentionPlan.uniform(causalPlan(shape.seqLen(), kernel.blockSize()),
                shape.heads()), out);
    }

    /** Causal attention over the last {@code window} tokens (the query included). */
    public void slidingWindow(float[] q, float[] k, float[] v, AttentionShape shape, int window, float[] out) {
        kernel.forward(q, k, v, shape, AttentionPlan.uniform(windowPlan(shape.seqLen(), kernel.blockSize(), window),
                shape.heads()), out);
    }

    /** The dense causal plan of one head. */
    public static HeadPlan causalPlan(int seqLen, int blockSize) {
        return windowPlan(seqLen, blockSize, Integer.MAX_VALUE, "dense");
    }

    /** The causal sliding-window plan of one head. */
    public static HeadPlan windowPlan(int seqLen, int blockSize, int window) {
        return windowPlan(seqLen, blockSize, window, "window(" + window + ")");
    }

    private static HeadPlan windowPlan(int seqLen, int blockSize, int window, String label) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        int[] rows = BlockPass.identityRows(seqLen, blockSize);
        int blocks = rows.length / blockSize;
        int[] offsets = new int[blocks + 1];
        int[] starts = new int[blocks];
        int[] ends = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            offsets[i + 1] = i + 1;
            // Keys of query block i reach back to (first query - window + 1).
            long firstKey = (long) i * blockSize - window + 1;
            starts[i] = (int) Math.max(0, firstKey < 0 ? 0 : firstKey / blockSize);
            ends[i] = i + 1;
        }
        MaskRule rule = window == Integer.MAX_VALUE ? MaskRule.CAUSAL : MaskRule.slidingWindow(window);
        return new HeadPlan(java.util.List.of(new BlockPass(blockSize, rows, rows, offsets, starts, ends, rule)), label);
    }
}
