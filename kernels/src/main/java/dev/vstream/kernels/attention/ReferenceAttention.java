package dev.vstream.kernels.attention;

import java.util.List;

/**
 * The scalar double-precision reference: per head and query row, the softmax over the keys
 * a {@link TokenMask} allows, in two passes over the keys (max, then exp-sum and the weighted
 * values). O(N^2 d); for tests and recall measurements, not for prefill.
 */
public final class ReferenceAttention {

    private ReferenceAttention() {
    }

    /**
     * Fills {@code out} (layout of {@code q}) for the query rows {@code [rowFrom, rowTo)} of
     * every head; {@code masks.get(h)} is head {@code h}'s mask. A row with no allowed key
     * gets zeros.
     */
    public static void attend(float[] q, float[] k, float[] v, AttentionShape shape, List<? extends TokenMask> masks,
                              int rowFrom, int rowTo, double[] out) {
        attend(q, k, v, shape, masks, rowFrom, rowTo, out, null);
    }

    /**
     * As above, also writing to {@code magnitude} (layout of {@code q}) the error scale of
     * each output element, {@code sum_j p_j |v_j|}: fp32 rounding of the scores and sums
     * grows with it, not with the (possibly cancelled) output itself.
     */
    public static void attend(float[] q, float[] k, float[] v, AttentionShape shape, List<? extends TokenMask> masks,
                              int rowFrom, int rowTo, double[] out, double[] magnitude) {
        int n = shape.seqLen();
        int d = shape.headDim();
        double scale = 1.0 / Math.sqrt(d);
        double[] scores = new double[n];
        for (int h = 0; h < shape.heads(); h++) {
            TokenMask mask = masks.get(h);
            int qBase = h * n * d;
            int kvBase = shape.kvHeadOf(h) * n * d;
            for (int row = rowFrom; row < rowTo; row++) {
                int at = qBase + row * d;
                double max = Double.NEGATIVE_INFINITY;
                for (int key = 0; key < n; key++) {
                    if (!mask.allows(row, key)) {
                        scores[key] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double dot = 0;
                    int kAt = kvBase + key * d;
                    for (int p = 0; p < d; p++) {
                        dot += (double) q[at + p] * k[kAt + p];
                    }
                    scores[key] = dot * scale;
                    max = Math.max(max, scores[key]);
                }
                for (int p = 0; p < d; p++) {
                    out[at + p] = 0;
                    if (magnitude != null) {
                        magnitude[at + p] = 0;
                    }
                }
                if (max == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                double sum = 0;
                for (int key = 0; key < n; key++) {
                    if (scores[key] == Double.NEGATIVE_INFINITY) {
                        continue;
                    }
                    double w = Math.exp(scores[key] - max);
                    sum += w;
                    int vAt = kvBase + key * d;
                    for (int p = 0; p < d; p++) {
                        out[at + p] += w * v[vAt + p];
                        if (magnitude != null) {
                            magnitude[at + p] += w * Math.abs(v[vAt + p]);
                        }
                    }
                }
                for (int p = 0; p < d; p++) {
                    out[at + p] /= sum;
                    if (magnitude != null) {
                        magnitude[at + p] /= sum;
                    }
                }
            }
        }
    }

    /**
     * Causal softmax probabilities of one query row of head {@code head} over all keys,
     * written to {@code probabilities[0..seqLen)} (0 for future keys).
     */
    public static void causalProbabilities(float[] q, float[] k, AttentionShape shape, int head, int row,
                                           double[] probabilities) {
        int n = shape.seqLen();
        int d = shape.headDim();
        double scale = 1.0 / Math.sqrt(d);
        int at = (head * n + row) * d;
        int kvBase = shape.kvHeadOf(head) * n * d;
        double max = Double.NEGATIVE_INFINITY;
        for (int key = 0; key <= row; key++) {
            double dot = 0;
            int kAt = kvBase + key * d;
            for (int p = 0; p < d; p++) {
                dot += (double) q[at + p] * k[kAt + p];
            }
            probabilities[key] = dot * scale;
            max = Math.max(max, probabilities[key]);
        }
        double sum = 0;
        for (int key = 0; key <= row; key++) {
            probabilities[key] = Math.exp(probabilities[key] - max);
            sum += probabilities[key];
        }
        for (int key = 0; key < n; key++) {
            probabilities[key] = key <= row ? probabilities[key] / sum : 0;
        }
    }
}
