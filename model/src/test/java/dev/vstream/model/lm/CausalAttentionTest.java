package dev.vstream.model.lm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CausalAttentionTest {

    static final CpuKernels VECTOR = CpuKernels.select(CpuKernels.Choice.AUTO, CpuFeatures.detect(), new ComputePool(2));

    @ParameterizedTest
    @CsvSource({"7, 10, 3, 5, 3, 2147483647", "5, 13, 8, 13, 11, 4", "1, 20, 19, 8, 16, 6", "9, 9, 0, 3, 5, 1"})
    void matchesTheDoubleReference(int queries, int keys, int firstQuery, int headDim, int valueDim, int window) {
        long seed = 31L * queries + keys + window;
        Random random = new Random(seed);
        int qStride = headDim + 3;
        float[] q = new float[queries * qStride];
        float[][] k = new float[keys][headDim];
        float[][] v = new float[keys][valueDim];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) random.nextGaussian();
        }
        CausalAttention attention = new CausalAttention(VECTOR);
        attention.reserve(keys, headDim, valueDim);
        int firstKey = firstQuery + queries - keys;
        for (int j = 0; j < keys; j++) {
            for (int d = 0; d < headDim; d++) {
                k[j][d] = (float) random.nextGaussian();
                attention.keys()[j * headDim + d] = k[j][d];
            }
            for (int d = 0; d < valueDim; d++) {
                v[j][d] = (float) random.nextGaussian();
                attention.valuesTransposed()[d * keys + j] = v[j][d];
            }
        }
        float scale = (float) (1 / Math.sqrt(headDim));
        int outStride = valueDim + 1;
        float[] out = new float[queries * outStride];
        attention.attend(q, 0, qStride, queries, firstQuery, keys, firstKey, headDim, valueDim, window, scale,
                out, 0, outStride);
        double maxError = 0;
        for (int i = 0; i < queries; i++) {
            int position = firstQuery + i;
            double[] w = new double[keys];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < keys; j++) {
                int keyPosition = firstKey + j;
                boolean visible = keyPosition <= position && (long) keyPosition > (long) position - window;
                double s = 0;
                for (int d = 0; d < headDim; d++) {
                    s += (double) q[i * qStride + d] * scale * k[j][d];
                }
                w[j] = visible ? s : Double.NEGATIVE_INFINITY;
                max = Math.max(max, w[j]);
            }
            double sum = 0;
            for (int j = 0; j < keys; j++) {
                w[j] = Math.exp(w[j] - max);
                sum += w[j];
            }
            for (int d = 0; d < valueDim; d++) {
                double o = 0;
                for (int j = 0; j < keys; j++) {
                    o += w[j] / sum * v[j][d];
                }
                maxError = Math.max(maxError, Math.abs(o - out[i * outStride + d]));
            }
        }
        System.out.printf("attention %s seed %d: max abs error %.2e%n", VECTOR.gemm(), seed, maxError);
        assertThat(maxError).isLessThan(1e-5);
    }
}
