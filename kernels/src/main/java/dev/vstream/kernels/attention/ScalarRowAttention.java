package dev.vstream.kernels.attention;

import dev.vstream.kernels.tensor.DType;

/** {@link RowAttention} in double precision, two passes per head: the reference and the scalar fallback. */
public final class ScalarRowAttention implements RowAttention {

    @Override
    public void attend(float[] query, int queryOffset, RowAttentionLayout layout, float scale, KvRows first,
                       KvRows second, float[] out, int outOffset) {
        layout.check(query, queryOffset, first, second, out, outOffset);
        int n = first.rows() + second.rows();
        double[] scores = new double[n];
        double[] sum = new double[layout.valueWidth()];
        for (int h = 0; h < layout.heads(); h++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int d = 0; d < layout.headDim(); d++) {
                    dot += (double) query[queryOffset + h * layout.headDim() + d]
                            * key(first, second, layout.rowWidth(), j, layout.keyColumn(h) + d);
                }
                scores[j] = scale * dot;
                max = Math.max(max, scores[j]);
            }
            double total = 0;
            java.util.Arrays.fill(sum, 0);
            for (int j = 0; j < n; j++) {
                double p = Math.exp(scores[j] - max);
                total += p;
                for (int c = 0; c < sum.length; c++) {
                    sum[c] += p * value(first, second, layout.rowWidth(), j, layout.valueColumn(h) + c);
                }
            }
            for (int c = 0; c < sum.length; c++) {
                out[outOffset + h * sum.length + c] = (float) (sum[c] / total);
            }
        }
    }

    private static float key(KvRows first, KvRows second, int rowWidth, int j, int column) {
        return j < first.rows() ? entry(first, true, j * rowWidth + column)
                : entry(second, true, (j - first.rows()) * rowWidth + column);
    }

    private static float value(KvRows first, KvRows second, int rowWidth, int j, int column) {
        return j < first.rows() ? entry(first, false, j * rowWidth + column)
                : entry(second, false, (j - first.rows()) * rowWidth + column);
    }

    private static float entry(KvRows rows, boolean key, int index) {
        return switch (rows) {
            case KvRows.F32 f -> key ? f.keys()[index] : f.values()[index];
            case KvRows.Bf16 b -> DType.bf16ToFloat(key ? b.keys()[index] : b.values()[index]);
        };
    }

    @Override
    public String toString() {
        return "ScalarRowAttention";
    }
}
