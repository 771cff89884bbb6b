package dev.vstream.kernels.linalg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.kernels.testing.ErrorStats;
import dev.vstream.kernels.testing.TestTensors;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link VectorGemv} against the double-precision {@link ScalarGemv} on ragged shapes. */
class GemvTest {

    private static final long SEED = 0x6E37_2025L;
    /** Around the quad of rows and the vector width: 1 row, a quad plus 1, lanes plus 1. */
    private static final int[] ROWS = {1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 129};
    private static final int[] DEPTHS = {1, 2, 7, 15, 16, 17, 33, 100, 512, 1000, 2049};

    @ParameterizedTest(name = "{0} weights, {1} threads")
    @MethodSource("dev.vstream.kernels.linalg.GemmTest#configurations")
    void matchesReferenceOnRaggedShapes(DType dtype, int threads) {
        long seed = SEED + 31L * dtype.ordinal() + threads;
        Random random = new Random(seed);
        ErrorStats all = new ErrorStats("GEMV " + dtype + " x" + threads + " seed " + seed);
        try (ComputePool pool = new ComputePool(threads); Arena arena = Arena.ofShared()) {
            Gemv gemv = new VectorGemv(pool);
            for (int trial = 0; trial < 80; trial++) {
                int n = ROWS[random.nextInt(ROWS.length)];
                int k = DEPTHS[random.nextInt(DEPTHS.length)];
                OutputMode mode = OutputMode.values()[random.nextInt(2)];
                DType biasType = random.nextInt(3) == 0 ? null : random.nextBoolean() ? DType.F32 : DType.BF16;
                String testCase = String.format("GEMV seed %d trial %d: n=%d k=%d %s weights, bias %s, %s, %d threads",
                        seed, trial, n, k, dtype, biasType, mode, threads);
                runCase(gemv, arena, random, n, k, dtype, biasType, mode, testCase, all);
            }
        }
        all.assertWithin(GemmTest.FP32_DOT);
        System.out.println(all.describe(GemmTest.FP32_DOT));
    }

    private static void runCase(Gemv gemv, Arena arena, Random random, int n, int k, DType dtype,
                                DType biasType, OutputMode mode, String testCase, ErrorStats all) {
        int xOffset = random.nextInt(3);
        int yOffset = random.nextInt(3);
        float[] x = TestTensors.uniform(random, xOffset + k);
        Tensor weight = TestTensors.random(arena, random, dtype, random.nextBoolean(), n, k);
        Tensor bias = biasType == null ? null : TestTensors.random(arena, random, biasType, true, n);
        float[] before = TestTensors.uniform(random, yOffset + n + 1);
        if (mode == OutputMode.OVERWRITE) {
            Arrays.fill(before, yOffset, yOffset + n, Float.NaN);
        }
        float[] expected = before.clone();
        new ScalarGemv().multiply(x, xOffset, weight, bias, expected, yOffset, mode);
        float[] actual = before.clone();
        gemv.multiply(x, xOffset, weight, bias, actual, yOffset, mode);

        ErrorStats stats = new ErrorStats(testCase);
        for (int j = 0; j < n; j++) {
            double scale = Math.abs(LinearArguments.biasAt(bias, j));
            for (int p = 0; p < k; p++) {
                scale += Math.abs(x[xOffset + p] * LinearArguments.weightAt(weight, j, p));
            }
            int at = yOffset + j;
            if (mode == OutputMode.ACCUMULATE) {
                scale += Math.abs(before[at]);
            }
            stats.add(at, actual[at], expected[at], scale, GemmTest.FP32_DOT);
            all.add(at, actual[at], expected[at], scale, GemmTest.FP32_DOT);
        }
        stats.assertWithin(GemmTest.FP32_DOT);
        assertThat(actual[yOffset + n]).as("%s: element after y untouched", testCase).isEqualTo(before[yOffset + n]);
    }
}
