package dev.vstream.kernels.linalg;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A few rows of activations against bf16 weights, the shape of a batched decode step (one row per answer): the
 * GEMV row kernels ({@link VectorGemv#multiplyRows}) against the packed tiled GEMM ({@link VectorGemm}'s path from
 * {@link VectorGemm#SMALL_M_BF16} rows on), same process, per row count: where the crossover belongs. Phi-4-mini-flash's FFN
 * and fused-projection shapes. Not a test: {@code kernels/bench/small-batch.sh}.
 *
 * <pre>
 * --threads=2 --rows=2,4,6,8,12,16,20,24,32 --iterations=12
 * </pre>
 */
public final class SmallBatchGemmBenchmark {

    private SmallBatchGemmBenchmark() {
    }

    public static void main(String[] args) {
        java.util.Map<String, String> options = new java.util.TreeMap<>();
        for (String arg : args) {
            options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        int threads = Integer.parseInt(options.getOrDefault("threads", "2"));
        int iterations = Integer.parseInt(options.getOrDefault("iterations", "12"));
        int[] rowCounts = Arrays.stream(options.getOrDefault("rows", "2,4,6,8,12,16,20,24,32").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int[][] shapes = {{10240, 2560}, {2560, 10240}, {7680, 2560}};
        System.out.printf(Locale.ROOT, "bf16 weights, %d threads, best of %d; SMALL_M_BF16 = %d%n%n", threads,
                iterations, VectorGemm.SMALL_M_BF16);
        System.out.println("| weight (n x k) | rows of A | GEMV row kernels | packed GEMM | packed / rows |");
        System.out.println("|---|---|---|---|---|");
        try (ComputePool pool = new ComputePool(threads); Arena arena = Arena.ofShared()) {
            VectorGemm gemm = new VectorGemm(pool);
            VectorGemv gemv = new VectorGemv(pool);
            for (int[] shape : shapes) {
                int n = shape[0];
                int k = shape[1];
                MemorySegment w = arena.allocate((long) n * k * Short.BYTES, 64);
                SplittableRandom random = new SplittableRandom(1);
                for (long i = 0; i < (long) n * k; i++) {
                    w.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i,
                            (short) (Float.floatToRawIntBits((float) random.nextDouble(-0.05, 0.05)) >>> 16));
                }
                Tensor weight = new Tensor(Shape.of(n, k), DType.BF16, w);
                for (int m : rowCounts) {
                    float[] a = new float[m * k];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) random.nextDouble(-1, 1);
                    }
                    float[] c = new float[m * n];
                    double rows = Double.POSITIVE_INFINITY;
                    double packed = Double.POSITIVE_INFINITY;
                    for (int it = 0; it < iterations; it++) {
                        long t0 = System.nanoTime();
                        gemv.multiplyRows(a, 0, m, weight, null, c, 0, false);
                        rows = Math.min(rows, (System.nanoTime() - t0) / 1e6);
                        t0 = System.nanoTime();
                        gemm.multiplyPacked(a, 0, m, n, k, weight, null, c, 0, false);
                        packed = Math.min(packed, (System.nanoTime() - t0) / 1e6);
                    }
                    System.out.printf(Locale.ROOT, "| %d x %d | %d | %.2f ms | %.2f ms | %.2fx |%n", n, k, m, rows, packed,
                            packed / rows);
                }
            }
        }
    }
}
