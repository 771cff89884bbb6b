package dev.vstream.model.vision;

import dev.vstream.kernels.linalg.Gemm;

/**
 * Bidirectional multi-head self-attention of one encoder layer, per image:
 * {@code Q = x Wq^T + bq} (likewise K, V), for each head h
 * {@code O_h = softmax(Q_h K_h^T / sqrt(d_head)) V_h}, then {@code out = concat_h(O_h) Wo^T + bo}.
 * No mask: every token of an image sees every other token of the same image, never another
 * frame's.
 */
final class SelfAttention {

    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear output;
    private final int heads;
    private final int headDim;
    private final float scale;
    private final Gemm gemm;

    SelfAttention(Linear query, Linear key, Linear value, Linear output, int heads, Gemm gemm) {
        this.query = query;
        this.key = key;
        this.value = value;
        this.output = output;
        this.heads = heads;
        this.headDim = query.out() / heads;
        this.scale = (float) (1 / Math.sqrt(headDim));
        this.gemm = gemm;
    }

    /**
     * x {@code (frames * seq, hidden)} already normalized; adds the attention output to
     * {@code residual} {@code (frames * seq, hidden)} (the residual connection, fused into the
     * output projection).
     */
    void forwardAdd(float[] x, int frames, int seq, VisionWorkspace ws, float[] residual) {
        int tokens = frames * seq;
        int hidden = query.out();
        query.forward(x, 0, tokens, ws.q, 0);
        key.forward(x, 0, tokens, ws.k, 0);
        value.forward(x, 0, tokens, ws.v, 0);
        for (int f = 0; f < frames; f++) {
            for (int h = 0; h < heads; h++) {
                int base = f * seq * hidden + h * headDim;
                for (int t = 0; t < seq; t++) {
                    for (int i = 0; i < headDim; i++) {
                        ws.headQuery[t * headDim + i] = ws.q[base + t * hidden + i] * scale;
                    }
                }
                attendHead(gemm, ws.headQuery, 0, seq, ws.k, ws.v, base, hidden, seq, ws);
                for (int t = 0; t < seq; t++) {
                    System.arraycopy(ws.headOutput, t * headDim, ws.context, base + t * hidden, headDim);
                }
            }
        }
        output.forwardAdd(ws.context, 0, tokens, residual, 0);
    }

    /**
     * One head: {@code headOutput (queries, headDim) = softmax(Qs K^T) V} for scaled queries
     * {@code Qs (queries, headDim)} at {@code queryOffset}, and the head's {@code seq} keys and
     * values read from rows of width {@code stride} starting at {@code base} of {@code keys} and
     * {@code values}. Both products run on the GEMM over gathered copies: K as is, V transposed.
     */
    static void attendHead(Gemm gemm, float[] scaledQueries, int queryOffset, int queries, float[] keys,
            float[] values, int base, int stride, int seq, VisionWorkspace ws) {
        int headDim = ws.config.headDim();
        for (int t = 0; t < seq; t++) {
            int row = base + t * stride;
            System.arraycopy(keys, row, ws.headKeys, t * headDim, headDim);
            for (int i = 0; i < headDim; i++) {
                ws.headValuesTransposed[i * seq + t] = values[row + i];
            }
        }
        Linear.multiplyTransposed(gemm, scaledQueries, queryOffset, queries, ws.headKeysView, ws.scores, 0);
        softmaxRows(ws.scores, queries, seq);
        Linear.multiplyTransposed(gemm, ws.scores, 0, queries, ws.headValuesTransposedView, ws.headOutput, 0);
    }

    /** {@code p[j] = exp(s[j] - max s) / sum_k exp(s[k] - max s)} for each row, in place. */
    static void softmaxRows(float[] scores, int rows, int columns) {
        for (int r = 0; r < rows; r++) {
            int start = r * columns;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < columns; j++) {
                max = Math.max(max, scores[start + j]);
            }
            double sum = 0;
            for (int j = 0; j < columns; j++) {
                double e = Math.exp(scores[start + j] - max);
                scores[start + j] = (float) e;
                sum += e;
            }
            float inverse = (float) (1 / sum);
            for (int j = 0; j < columns; j++) {
                scores[start + j] *= inverse;
            }
        }
    }
}
