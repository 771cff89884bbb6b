package dev.vstream.kernels.linalg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.kernels.testing.ErrorStats;
import dev.vstream.kernels.testing.TestTensors;
import dev.vstream.kernels.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link VectorGemm} against the double-precision {@link ScalarGemm} on ragged shapes. */
class GemmTest {

    /**
     * fp32 accumulation of up to ~1000 products in blocks: the error stays far below the
     * worst-case bound {@code k * 2^-24 * sum |a w|}; 1e-5 of that sum leaves room for k ~ 100.
     */
    static final Tolerance FP32_DOT = new Tolerance("FP32_DOT", 1e-5, 1e-7);

    private static final long SEED = 0x6E33_2025L;
    /** Around the tile and block edges: rows of 1, under a vector, over a panel; k over KC. */
    private static final int[] ROWS = {1, 2, 3, 4, 5, 6, 15, 16, 17, 33, 63, 64, 65, 100, 130};
    private static final int[] COLUMNS = {1, 2, 5, 6, 7, 12, 13, 95, 97, 193, 200};
    private static final int[] DEPTHS = {1, 3, 15, 16, 17, 31, 100, 255, 256, 257, 600};

    static Stream<Arguments> configurations() {
        return Stream.of(DType.F32, DType.BF16).flatMap(dtype ->
                Stream.of(1, 2).map(threads -> Arguments.of(dtype, threads)));
    }

    @ParameterizedTest(name = "{0} weights, {1} threads")
    @MethodSource("configurations")
    void matchesReferenceOnRaggedShapes(DType dtype, int threads) {
        long seed = SEED + 31L * dtype.ordinal() + threads;
        Random random = new Random(seed);
        ErrorStats all = new ErrorStats("GEMM " + dtype + " x" + threads + " seed " + seed);
        try (ComputePool pool = new ComputePool(threads); Arena arena = Arena.ofShared()) {
            Gemm gemm = new VectorGemm(pool);
            for (int trial = 0; trial < 60; trial++) {
                int m = ROWS[random.nextInt(ROWS.length)];
                int n = COLUMNS[random.nextInt(COLUMNS.length)];
                int k = DEPTHS[random.nextInt(DEPTHS.length)];
                OutputMode mode = OutputMode.values()[random.nextInt(2)];
                DType biasType = random.nextInt(3) == 0 ? null : random.nextBoolean() ? DType.F32 : DType.BF16;
                String testCase = String.format("GEMM seed %d trial %d: m=%d n=%d k=%d %s weights, bias %s, %s, %d threads",
                        seed, trial, m, n, k, dtype, biasType, mode, threads);
                runCase(gemm, arena, random, m, n, k, dtype, biasType, mode, testCase, all);
            }
        }
        all.assertWithin(FP32_DOT);
        System.out.println(all.describe(FP32_DOT));
    }

    @Test
    void largeBlocksAcrossBothThreads() {
        Random random = new Random(SEED);
        ErrorStats all = new ErrorStats("GEMM large, seed " + SEED);
        try (ComputePool pool = new ComputePool(2); Arena arena = Arena.ofShared()) {
            Gemm gemm = new VectorGemm(pool);
            for (DType dtype : new DType[] {DType.F32, DType.BF16}) {
                runCase(gemm, arena, random, 150, 389, 777, dtype, DType.F32, OutputMode.ACCUMULATE,
                        "GEMM seed " + SEED + " 150x389x777 " + dtype, all);
            }
        }
        all.assertWithin(FP32_DOT);
    }

    static void runCase(Gemm gemm, Arena arena, Random random, int m, int n, int k, DType dtype,
                        DType biasType, OutputMode mode, String testCase, ErrorStats all) {
        int aOffset = random.nextInt(3);
        int cOffset = random.nextInt(3);
        float[] a = TestTensors.uniform(random, aOffset + m * k);
        Tensor weight = TestTensors.random(arena, random, dtype, random.nextBoolean(), n, k);
        Tensor bias = biasType == null ? null : TestTensors.random(arena, random, biasType, true, n);
        float[] before = TestTensors.uniform(random, cOffset + m * n + 2);
        if (mode == OutputMode.OVERWRITE) {
            Arrays.fill(before, cOffset, cOffset + m * n, Float.NaN); // must not leak
        }
        float[] expected = before.clone();
        new ScalarGemm().multiply(a, aOffset, m, weight, bias, expected, cOffset, mode);
        float[] actual = before.clone();
        gemm.multiply(a, aOffset, m, weight, bias, actual, cOffset, mode);

        ErrorStats stats = new ErrorStats(testCase);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double scale = Math.abs(LinearArguments.biasAt(bias, j));
                for (int p = 0; p < k; p++) {
                    scale += Math.abs(a[aOffset + i * k + p] * LinearArguments.weightAt(weight, j, p));
                }
                int at = cOffset + i * n + j;
                if (mode == OutputMode.ACCUMULATE) {
                    scale += Math.abs(before[at]);
                }
                stats.add(at, actual[at], expected[at], scale, FP32_DOT);
                all.add(at, actual[at], expected[at], scale, FP32_DOT);
            }
        }
        stats.assertWithin(FP32_DOT);
        assertThat(Arrays.equals(actual, 0, cOffset, before, 0, cOffset)
                && Arrays.equals(actual, cOffset + m * n, actual.length, before, cOffset + m * n, before.length))
                .as("%s: elements outside C untouched", testCase).isTrue();
    }

    @Test
    void scalarReferenceComputesTheDefinition() {
        // C = A W^T + b with A (2, 3), W (2, 3): C[i, j] = sum_p A[i, p] W[j, p] + b[j].
        float[] a = {1, 2, 3, -1, 0, 2};
        Tensor weight = Tensor.fromFloats(Shape.of(2, 3), DType.BF16, 1, 0, -1, 0.5f, 2, 4);
        Tensor bias = Tensor.fromFloats(Shape.of(2), DType.F32, 10, 20);
        float[] c = {100, 100, 100, 100};
        new ScalarGemm().multiply(a, 0, 2, weight, bias, c, 0, OutputMode.ACCUMULATE);
        assertThat(c).containsExactly(100 + (1 - 3) + 10, 100 + (0.5f + 4 + 12) + 20,
                100 + (-1 - 2) + 10, 100 + (-0.5f + 8) + 20);
    }

    @Test
    void emptyDepthGivesBiasAndEmptyRowsDoNothing() {
        try (ComputePool pool = new ComputePool(2)) {
            Gemm gemm = new VectorGemm(pool);
            Tensor weight = new Tensor(Shape.of(3, 0), DType.F32, java.lang.foreign.MemorySegment.ofArray(new byte[0]));
            Tensor bias = Tensor.fromFloats(Shape.of(3), DType.F32, 1, 2, 3);
            float[] c = new float[30];
            Arrays.fill(c, Float.NaN);
            gemm.multiply(new float[0], 0, 10, weight, bias, c, 0, OutputMode.OVERWRITE);
            assertThat(Arrays.copyOf(c, 3)).containsExactly(1, 2, 3);
            float[] untouched = {7};
            gemm.multiply(new float[0], 0, 0, weight, bias, untouched, 0, OutputMode.OVERWRITE);
            assertThat(untouched).containsExactly(7);
        }
    }

    @Test
    void rejectsMismatchedArgumentsBeforeWriting() {
        Gemm gemm = new ScalarGemm();
        Tensor weight = Tensor.fromFloats(Shape.of(2, 3), DType.F32, new float[6]);
        float[] c = {5, 5, 5, 5};
        assertThatThrownBy(() -> gemm.multiply(new float[5], 0, 2, weight, null, c, 0, OutputMode.OVERWRITE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a needs 2 x 3");
        assertThatThrownBy(() -> gemm.multiply(new float[6], 0, 2, weight, null, new float[3], 0, OutputMode.OVERWRITE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("c needs 2 x 2");
        Tensor wrongBias = Tensor.fromFloats(Shape.of(3), DType.F32, new float[3]);
        assertThatThrownBy(() -> gemm.multiply(new float[6], 0, 2, weight, wrongBias, c, 0, OutputMode.OVERWRITE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias shape [3]");
        Tensor f16 = Tensor.fromFloats(Shape.of(2, 3), DType.F16, new float[6]);
        assertThatThrownBy(() -> new VectorGemm(new ComputePool(1)).multiply(new float[6], 0, 2, f16, null, c, 0, OutputMode.OVERWRITE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("F16");
        Tensor vector = Tensor.fromFloats(Shape.of(6), DType.F32, new float[6]);
        assertThatThrownBy(() -> gemm.multiply(new float[6], 0, 1, vector, null, c, 0, OutputMode.OVERWRITE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(out, in)");
        assertThat(c).containsOnly(5);
    }
}
