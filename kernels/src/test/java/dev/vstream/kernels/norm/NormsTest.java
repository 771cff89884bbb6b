package dev.vstream.kernels.norm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.kernels.testing.ErrorStats;
import dev.vstream.kernels.testing.TestTensors;
import dev.vstream.kernels.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorNorms} against the double-precision {@link ScalarNorms}. The error scale of an
 * element is {@code (|x| + |mean|) * rstd * |w| + |b|}: float sums of a row are relative
 * 1e-6-accurate, and centering a value next to a large mean cancels digits.
 */
class NormsTest {

    static final Tolerance NORM = new Tolerance("NORM", 1e-5, 1e-7);

    private static final long SEED = 0x4E02_2025L;
    private static final int[] DIMS = {1, 2, 15, 16, 17, 31, 32, 33, 100, 2048, 3079};

    @Test
    void rmsNormMatchesReference() {
        Random random = new Random(SEED);
        ErrorStats all = new ErrorStats("RMSNorm seed " + SEED);
        try (Arena arena = Arena.ofShared()) {
            for (int trial = 0; trial < 40; trial++) {
                int dim = DIMS[random.nextInt(DIMS.length)];
                int rows = 1 + random.nextInt(4);
                DType dtype = random.nextBoolean() ? DType.F32 : DType.BF16;
                Tensor weight = TestTensors.random(arena, random, dtype, random.nextBoolean(), dim);
                float[] x = shifted(random, rows * dim + 3, random.nextFloat() * 4);
                boolean inPlace = random.nextBoolean();
                float[] expected = x.clone();
                float[] actual = x.clone();
                float[] out = inPlace ? actual : new float[x.length];
                int outOffset = inPlace ? 2 : 1;
                new ScalarNorms().rmsNorm(expected, 2, expected, 2, rows, dim, weight, 1e-6f);
                new VectorNorms().rmsNorm(actual, 2, out, outOffset, rows, dim, weight, 1e-6f);
                String testCase = String.format("RMSNorm seed %d trial %d: %d x %d, %s weight, %s",
                        SEED, trial, rows, dim, dtype, inPlace ? "in place" : "out of place");
                ErrorStats stats = new ErrorStats(testCase);
                for (int i = 0; i < rows * dim; i++) {
                    float want = expected[2 + i];
                    float got = out[outOffset + i];
                    stats.add(i, got, want, Math.abs(want), NORM);
                    all.add(i, got, want, Math.abs(want), NORM);
                }
                stats.assertWithin(NORM);
            }
        }
        System.out.println(all.describe(NORM));
    }

    @Test
    void layerNormMatchesReferenceWithAndWithoutAffine() {
        Random random = new Random(SEED + 1);
        ErrorStats all = new ErrorStats("LayerNorm seed " + (SEED + 1));
        try (Arena arena = Arena.ofShared()) {
            for (int trial = 0; trial < 40; trial++) {
                int dim = DIMS[random.nextInt(DIMS.length)];
                int rows = 1 + random.nextInt(4);
                DType dtype = random.nextBoolean() ? DType.F32 : DType.BF16;
                Tensor weight = random.nextInt(4) == 0 ? null : TestTensors.random(arena, random, dtype, true, dim);
                Tensor bias = random.nextInt(4) == 0 ? null : TestTensors.random(arena, random, dtype, false, dim);
                float shift = random.nextFloat() * 8 - 4; // a large mean exercises the two-pass variance
                float[] x = shifted(random, rows * dim, shift);
                float[] expected = new float[x.length];
                float[] actual = new float[x.length];
                new ScalarNorms().layerNorm(x, 0, expected, 0, rows, dim, weight, bias, 1e-5f);
                new VectorNorms().layerNorm(x, 0, actual, 0, rows, dim, weight, bias, 1e-5f);
                String testCase = String.format("LayerNorm seed %d trial %d: %d x %d, %s weight %s bias %s, mean ~%.2f",
                        SEED + 1, trial, rows, dim, dtype, weight != null, bias != null, shift);
                ErrorStats stats = new ErrorStats(testCase);
                for (int r = 0; r < rows; r++) {
                    double mean = 0;
                    double variance = 0;
                    for (int i = 0; i < dim; i++) {
                        mean += x[r * dim + i];
                    }
                    mean /= dim;
                    for (int i = 0; i < dim; i++) {
                        variance += Math.pow(x[r * dim + i] - mean, 2);
                    }
                    double rstd = 1 / Math.sqrt(variance / dim + 1e-5);
                    for (int i = 0; i < dim; i++) {
                        int at = r * dim + i;
                        double scale = (Math.abs(x[at]) + Math.abs(mean)) * rstd
                                * Math.abs(NormArguments.at(weight, i, 1f)) + Math.abs(NormArguments.at(bias, i, 0f));
                        stats.add(at, actual[at], expected[at], scale, NORM);
                        all.add(at, actual[at], expected[at], scale, NORM);
                    }
                }
                stats.assertWithin(NORM);
            }
        }
        System.out.println(all.describe(NORM));
    }

    @Test
    void referenceComputesTheDefinitions() {
        Tensor weight = Tensor.fromFloats(Shape.of(2), DType.F32, 2, 1);
        float[] rms = {3, 4};
        // mean of squares 12.5, 1/sqrt(12.5) = 0.28284...
        new ScalarNorms().rmsNorm(rms, 0, rms, 0, 1, 2, weight, 0f);
        assertThat(rms[0]).isCloseTo((float) (2 * 3 / Math.sqrt(12.5)), org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(rms[1]).isCloseTo((float) (4 / Math.sqrt(12.5)), org.assertj.core.data.Offset.offset(1e-6f));
        float[] ln = {1, 3};
        // mean 2, variance 1: normalised -1, +1
        new ScalarNorms().layerNorm(ln, 0, ln, 0, 1, 2, null, Tensor.fromFloats(Shape.of(2), DType.BF16, 10, 20), 0f);
        assertThat(ln).containsExactly(9f, 21f);
    }

    @Test
    void rejectsMismatchedParameters() {
        Norms norms = new VectorNorms();
        Tensor weight = Tensor.fromFloats(Shape.of(3), DType.F32, 1, 1, 1);
        assertThatThrownBy(() -> norms.rmsNorm(new float[8], 0, new float[8], 0, 2, 4, weight, 1e-6f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match dim 4");
        assertThatThrownBy(() -> norms.rmsNorm(new float[8], 0, new float[8], 0, 3, 3, weight, 1e-6f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x needs 9");
        float[] both = new float[10];
        assertThatThrownBy(() -> norms.layerNorm(both, 0, both, 1, 3, 3, weight, null, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> norms.rmsNorm(new float[3], 0, new float[3], 0, 1, 3, null, 1e-6f))
                .isInstanceOf(NullPointerException.class);
    }

    private static float[] shifted(Random random, int length, float shift) {
        float[] values = TestTensors.uniform(random, length);
        for (int i = 0; i < length; i++) {
            values[i] += shift;
        }
        return values;
    }
}
