package dev.vstream.kernels.sparse;

import dev.vstream.kernels.attention.AttentionShape;
import dev.vstream.kernels.attention.ReferenceAttention;
import dev.vstream.kernels.attention.TokenMask;

/**
 * Attention recall: the fraction of dense causal attention mass a sparse pattern keeps,
 * averaged over query rows (the search criterion of MInference and MMInference). Computed in
 * double from the dense softmax of each row, O(N d) per row: pass a sample of rows at long
 * lengths.
 */
public final class AttentionRecall {

    private AttentionRecall() {
    }

    /** Mean over {@code rows} of the dense attention mass of head {@code head} that {@code mask} allows. */
    public static double recall(float[] q, float[] k, AttentionShape shape, int head, TokenMask mask, int[] rows) {
        double[] probabilities = new double[shape.seqLen()];
        double total = 0;
        for (int row : rows) {
            ReferenceAttention.causalProbabilities(q, k, shape, head, row, probabilities);
            double kept = 0;
            for (int key = 0; key <= row; key++) {
                if (mask.allows(row, key)) {
                    kept += probabilities[key];
                }
            }
            total += kept;
        }
        return rows.length == 0 ? 1 : total / rows.length;
    }

    /** {@code count} rows spread evenly over {@code [from, seqLen)}, the last row included. */
    public static int[] sampleRows(int from, int seqLen, int count) {
        int available = seqLen - from;
        int taken = Math.min(count, available);
        int[] rows = new int[taken];
        for (int i = 0; i < taken; i++) {
            rows[i] = seqLen - 1 - (int) ((long) i * available / taken);
        }
        return rows;
    }
}
