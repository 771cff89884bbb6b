package dev.vstream.kernels.attention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.testing.ErrorStats;
import dev.vstream.kernels.testing.TestTensors;
import dev.vstream.kernels.testing.Tolerance;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One query row over a cache split in two runs of rows (frozen prefix, own rows), fp32 and bf16,
 * against a plain double-precision softmax written here, on fresh random inputs; long enough
 * for the pool to split the rows, and layouts of grouped-query and differential attention.
 */
class RowAttentionTest {

    private static final long SEED = 0x20A7_2026L;
    private static final Tolerance FLOAT = new Tolerance("fp32 accumulation", 2e-5, 2e-6);

    @Test
    void vectorAndScalarKernelsMatchADoubleReference() {
        Random random = new Random(SEED);
        try (ComputePool pool = new ComputePool(3)) {
            RowAttention[] kernels = {new ScalarRowAttention(), new VectorRowAttention(pool)};
            for (int trial = 0; trial < 24; trial++) {
                int kvHeads = 1 + random.nextInt(3);
                int headDim = new int[] {8, 17, 32, 64}[random.nextInt(4)];
                int heads = kvHeads * (1 + random.nextInt(3));
                RowAttentionLayout layout = trial % 3 == 2 ? differential(heads, kvHeads, headDim, random)
                        : RowAttentionLayout.grouped(heads, kvHeads, headDim);
                int[] lengths = {0, 1, 5, 127, 129, 3000, 9001};
                int firstRows = lengths[random.nextInt(lengths.length)];
                int secondRows = lengths[random.nextInt(lengths.length)];
                if (firstRows + secondRows == 0) {
                    secondRows = 1;
                }
                boolean bf16 = trial % 2 == 1;
                KvRows first = rows(random, firstRows, layout.rowWidth(), bf16);
                KvRows second = rows(random, secondRows, layout.rowWidth(), false);
                int queryOffset = random.nextInt(3);
                float[] query = TestTensors.uniform(random, queryOffset + heads * headDim);
                float scale = (float) (2 / Math.sqrt(headDim)); // peaked enough that the softmax matters
                double[] expected = reference(query, queryOffset, layout, scale, first, second);
                for (RowAttention kernel : kernels) {
                    float[] out = new float[1 + heads * layout.valueWidth()];
                    kernel.attend(query, queryOffset, layout, scale, first, second, out, 1);
                    ErrorStats stats = new ErrorStats(String.format("%s seed %d trial %d %s, %d + %d rows%s", kernel,
                            SEED, trial, layout, firstRows, secondRows, bf16 ? " (bf16 prefix)" : ""));
                    for (int i = 0; i < expected.length; i++) {
                        stats.add(i, out[1 + i], expected[i], 1, FLOAT);
                    }
                    stats.assertWithin(FLOAT);
                }
            }
        }
    }

    @Test
    void aSingleRowGivesItsValues() {
        RowAttentionLayout layout = RowAttentionLayout.grouped(2, 1, 4);
        KvRows row = new KvRows.F32(new float[] {1, 2, 3, 4}, new float[] {5, 6, 7, 8}, 1);
        float[] out = new float[8];
        new VectorRowAttention(new ComputePool(1)).attend(new float[8], 0, layout, 1f, row, KvRows.EMPTY, out, 0);
        assertThat(out).containsExactly(5, 6, 7, 8, 5, 6, 7, 8);
    }

    @Test
    void rejectsNoRowsShortArraysAndBadLayouts() {
        RowAttentionLayout layout = RowAttentionLayout.grouped(4, 2, 8);
        RowAttention kernel = new VectorRowAttention(new ComputePool(1));
        assertThatThrownBy(() -> kernel.attend(new float[32], 0, layout, 1f, KvRows.EMPTY, KvRows.EMPTY,
                new float[32], 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
        KvRows three = new KvRows.F32(new float[40], new float[40], 3);
        assertThatThrownBy(() -> kernel.attend(new float[32], 0, layout, 1f, three, KvRows.EMPTY, new float[32], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not fit");
        KvRows two = new KvRows.F32(new float[32], new float[32], 2);
        assertThatThrownBy(() -> kernel.attend(new float[31], 0, layout, 1f, two, KvRows.EMPTY, new float[32], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query needs 32");
        assertThatThrownBy(() -> kernel.attend(new float[32], 0, layout, 1f, two, KvRows.EMPTY, new float[31], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out needs 32");
        assertThatThrownBy(() -> RowAttentionLayout.grouped(6, 4, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RowAttentionLayout(1, 8, 16, new int[] {9}, new int[] {0}, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside rows of 16");
    }

    /** Head h reads key head (h / group) and the pair of value heads it belongs to, like SambaY's differential attention. */
    private static RowAttentionLayout differential(int heads, int kvHeads, int headDim, Random random) {
        int kv = 2 * kvHeads;
        int[] keys = new int[heads];
        int[] values = new int[heads];
        for (int h = 0; h < heads; h++) {
            int pair = random.nextInt(kvHeads);
            keys[h] = (2 * pair + h % 2) * headDim;
            values[h] = 2 * pair * headDim;
        }
        return new RowAttentionLayout(heads, headDim, kv * headDim, keys, values, 2 * headDim);
    }

    private static KvRows rows(Random random, int count, int width, boolean bf16) {
        int spare = random.nextInt(2) * width; // arrays may be longer than the rows (a growing cache)
        float[] keys = TestTensors.uniform(random, count * width + spare);
        float[] values = TestTensors.uniform(random, count * width + spare);
        if (!bf16) {
            return new KvRows.F32(keys, values, count);
        }
        short[] k = new short[keys.length];
        short[] v = new short[values.length];
        for (int i = 0; i < k.length; i++) {
            k[i] = DType.bf16FromFloat(keys[i]);
            v[i] = DType.bf16FromFloat(values[i]);
        }
        return new KvRows.Bf16(k, v, count);
    }

    private static double entry(KvRows rows, boolean key, int index) {
        return switch (rows) {
            case KvRows.F32 f -> key ? f.keys()[index] : f.values()[index];
            case KvRows.Bf16 b -> DType.bf16ToFloat(key ? b.keys()[index] : b.values()[index]);
        };
    }

    private static double[] reference(float[] query, int queryOffset, RowAttentionLayout layout, float scale,
                                      KvRows first, KvRows second) {
        int n = first.rows() + second.rows();
        int w = layout.rowWidth();
        double[] out = new double[layout.heads() * layout.valueWidth()];
        for (int h = 0; h < layout.heads(); h++) {
            double[] logits = new double[n];
            for (int j = 0; j < n; j++) {
                KvRows rows = j < first.rows() ? first : second;
                int row = (j < first.rows() ? j : j - first.rows()) * w;
                for (int d = 0; d < layout.headDim(); d++) {
                    logits[j] += query[queryOffset + h * layout.headDim() + d]
                            * entry(rows, true, row + layout.keyColumns()[h] + d);
                }
                logits[j] *= scale;
            }
            double max = java.util.Arrays.stream(logits).max().orElseThrow();
            double total = 0;
            for (int j = 0; j < n; j++) {
                logits[j] = Math.exp(logits[j] - max);
                total += logits[j];
            }
            for (int j = 0; j < n; j++) {
                KvRows rows = j < first.rows() ? first : second;
                int row = (j < first.rows() ? j : j - first.rows()) * w;
                for (int c = 0; c < layout.valueWidth(); c++) {
                    out[h * layout.valueWidth() + c] += logits[j] / total
                            * entry(rows, false, row + layout.valueColumns()[h] + c);
                }
            }
        }
        return out;
    }
}
