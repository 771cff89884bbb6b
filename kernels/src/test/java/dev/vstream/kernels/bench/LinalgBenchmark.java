package dev.vstream.kernels.bench;

import dev.vstream.kernels.cpu.MemoryBandwidth;
import dev.vstream.kernels.bench.openblas.OpenBlas;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.linalg.Gemm;
import dev.vstream.kernels.linalg.Gemv;
import dev.vstream.kernels.linalg.VectorGemm;
import dev.vstream.kernels.linalg.VectorGemv;
import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;

/**
 * GEMM and GEMV throughput of our Vector API kernels against OpenBLAS on the same matrices
 * in the same run, with the machine's streaming read bandwidth as the ceiling for GEMV. Not a
 * test: run {@code kernels/bench/run.sh} (see {@link BenchOptions} for the flags).
 *
 * <p>Timing: each case is warmed up (JIT, page faults) and then timed {@code iterations}
 * times; the best time is reported, since other processes on a shared machine only ever make
 * a run slower. GEMV weights rotate over copies whose total exceeds the last-level cache, so
 * every call reads its weights from DRAM, as a decode step over a whole model does.
 *
 * <p>bf16 weights: OpenBLAS 0.3.21 as shipped by Debian has no bf16 GEMM/GEMV on every
 * build, so the bf16 rows compare our kernels on bf16 weights against OpenBLAS sgemm/sgemv
 * on the same weights widened to fp32 (twice the bytes).
 */
public final class LinalgBenchmark {

    private static final int[][] GEMM_SHAPES = {{512, 2048, 2048}, {128, 4096, 4096}};
    private static final int[][] GEMV_SHAPES = {{2048, 8192}, {6144, 2048}};
    private static final DType[] WEIGHT_TYPES = {DType.F32, DType.BF16};

    private final BenchOptions options;
    private final OpenBlas blas;
    private final Timer timer;
    private final List<String> gemmRows = new ArrayList<>();
    private final List<String> gemvRows = new ArrayList<>();
    private final double[] bandwidth;

    private LinalgBenchmark(BenchOptions options, OpenBlas blas) {
        this.options = options;
        this.blas = blas;
        this.timer = new Timer(options.iterations(), options.warmupNanos());
        this.bandwidth = new double[options.maxThreads() + 1];
    }

    public static void main(String[] args) {
        BenchOptions options = BenchOptions.parse(args);
        try (OpenBlas blas = OpenBlas.load(options.openblas())) {
            System.out.println("CPU: " + BenchOptions.cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
                    + " cores visible; Vector API " + FloatVector.SPECIES_PREFERRED);
            System.out.println("OpenBLAS: " + blas.config());
            new LinalgBenchmark(options, blas).run();
        }
    }

    private void run() {
        for (int[] shape : options.cases().contains("gemm") ? GEMM_SHAPES : new int[0][]) {
            for (DType dtype : WEIGHT_TYPES) {
                gemmCase(shape[0], shape[1], shape[2], dtype);
            }
        }
        if (options.cases().contains("bandwidth") || options.cases().contains("gemv")) {
            try (MemoryBandwidth reader = new MemoryBandwidth(options.rotationBytes())) {
                measureBandwidth(reader, true);
                for (int[] shape : options.cases().contains("gemv") ? GEMV_SHAPES : new int[0][]) {
                    for (DType dtype : WEIGHT_TYPES) {
                        gemvCase(shape[0], shape[1], dtype, reader);
                    }
                }
                System.out.println();
                for (int threads : options.threads()) {
                    System.out.printf("memory read bandwidth, %d thread(s), best over the whole run: %.1f GB/s%n",
                            threads, bandwidth[threads] / 1e9);
                }
            }
        }
        System.out.println();
        System.out.println("GEMM  C(m,n) = A(m,k) W(n,k)^T, GFLOP/s = 2mnk / best time");
        System.out.println(String.format("%-16s %-6s %3s %12s %14s %8s %10s",
                "m x n x k", "W", "thr", "ours GFLOP/s", "OpenBLAS GFLOP/s", "ratio", "max |diff|"));
        gemmRows.forEach(System.out::println);
        System.out.println();
        System.out.println("GEMV  y(n) = W(n,k) x(k), weights rotated over " + options.rotationBytes() / (1 << 20)
                + " MiB (DRAM-resident); GB/s = weight bytes / best time");
        System.out.println(String.format("%-12s %-6s %3s %9s %9s %11s %11s %8s %10s",
                "n x k", "W", "thr", "ours GB/s", "GFLOP/s", "BLAS GB/s", "GFLOP/s", "ratio", "% of read"));
        gemvRows.forEach(System.out::println);
        System.out.println();
        System.out.println("ratio = OpenBLAS time / our time (> 1: ours faster). bf16*: OpenBLAS runs sgemm/sgemv "
                + "on the weights widened to fp32.");
        System.out.println("% of read: our GEMV bytes/s over the streaming read bandwidth with as many threads.");
    }

    /**
     * Best read bandwidth per thread count over the rounds; called again in every GEMV round
     * so that a burst of load from other processes during one pass does not stick.
     */
    private void measureBandwidth(MemoryBandwidth reader, boolean print) {
        for (int threads : options.threads()) {
            for (int round = 0; round < options.rounds(); round++) {
                try (ComputePool pool = new ComputePool(threads)) {
                    bandwidth[threads] = Math.max(bandwidth[threads], reader.measure(pool, 3));
                }
            }
            if (print) {
                System.out.printf("memory read bandwidth, %d thread(s): %.1f GB/s (%d MiB buffer, checksum %s)%n",
                        threads, bandwidth[threads] / 1e9, options.rotationBytes() >> 20, reader.checksum());
            }
        }
    }

    private void gemmCase(int m, int n, int k, DType dtype) {
        try (Arena arena = Arena.ofShared()) {
            float[] a = Matrices.random(m * k, 1);
            MemorySegment aNative = arena.allocate((long) m * k * Float.BYTES, 64);
            MemorySegment.copy(a, 0, aNative, ValueLayout.JAVA_FLOAT, 0, a.length);
            Matrices.Weights weights = Matrices.weights(arena, n, k, dtype, 1, 2);
            Tensor w = new Tensor(Shape.of(n, k), dtype, weights.ours(0));
            MemorySegment wBlas = weights.widened(0);
            float[] c = new float[m * n];
            MemorySegment cNative = arena.allocate((long) m * n * Float.BYTES, 64);
            double[] ours = bestTimes();
            double[] theirs = bestTimes();
            for (int round = 0; round < options.rounds(); round++) {
                for (int threads : options.threads()) {
                    try (ComputePool pool = new ComputePool(threads)) {
                        Gemm gemm = new VectorGemm(pool);
                        ours[threads] = Math.min(ours[threads], timer.best(() -> gemm.multiply(a, 0, m, w, c, 0)));
                    }
                    blas.setThreads(threads);
                    theirs[threads] = Math.min(theirs[threads], timer.best(() -> blas.sgemmNt(m, n, k, aNative, wBlas, cNative)));
                    Timer.settle();
                }
            }
            double flops = 2.0 * m * n * k;
            for (int threads : options.threads()) {
                gemmRows.add(String.format("%-16s %-6s %3d %12.1f %14.1f %8.2f %10.2g",
                        m + "x" + n + "x" + k, label(dtype), threads, flops / ours[threads] / 1e9,
                        flops / theirs[threads] / 1e9, theirs[threads] / ours[threads],
                        Matrices.maxRelativeDifference(c, cNative)));
                System.out.println("GEMM " + gemmRows.getLast());
            }
        }
    }

    private void gemvCase(int n, int k, DType dtype, MemoryBandwidth reader) {
        long oursBytes = (long) n * k * dtype.byteSize();
        long blasBytes = (long) n * k * Float.BYTES;
        int copies = (int) Math.max(2, ceilDiv(options.rotationBytes(), Math.min(oursBytes, blasBytes)));
        try (Arena arena = Arena.ofShared()) {
            Matrices.Weights weights = Matrices.weights(arena, n, k, dtype, copies, 3);
            Tensor[] w = new Tensor[copies];
            for (int i = 0; i < copies; i++) {
                w[i] = new Tensor(Shape.of(n, k), dtype, weights.ours(i));
            }
            float[] x = Matrices.random(k, 4);
            MemorySegment xNative = arena.allocate((long) k * Float.BYTES, 64);
            MemorySegment.copy(x, 0, xNative, ValueLayout.JAVA_FLOAT, 0, k);
            float[] y = new float[n];
            MemorySegment yNative = arena.allocate((long) n * Float.BYTES, 64);
            int[] next = {0};
            double[] ours = bestTimes();
            double[] theirs = bestTimes();
            for (int round = 0; round < options.rounds(); round++) {
                for (int threads : options.threads()) {
                    try (ComputePool pool = new ComputePool(threads)) {
                        Gemv gemv = new VectorGemv(pool);
                        ours[threads] = Math.min(ours[threads],
                                timer.best(() -> gemv.multiply(x, 0, w[next[0]++ % copies], y, 0)));
                    }
                    blas.setThreads(threads);
                    theirs[threads] = Math.min(theirs[threads],
                            timer.best(() -> blas.sgemv(n, k, weights.widened(next[0]++ % copies), xNative, yNative)));
                    Timer.settle();
                }
                measureBandwidth(reader, false);
            }
            double flops = 2.0 * n * k;
            for (int threads : options.threads()) {
                gemvRows.add(String.format("%-12s %-6s %3d %9.1f %9.1f %11.1f %11.1f %8.2f %9.0f%%",
                        n + "x" + k, label(dtype), threads, oursBytes / ours[threads] / 1e9, flops / ours[threads] / 1e9,
                        blasBytes / theirs[threads] / 1e9, flops / theirs[threads] / 1e9, theirs[threads] / ours[threads],
                        100 * oursBytes / ours[threads] / bandwidth[threads]));
                System.out.println("GEMV " + gemvRows.getLast() + "  (max rel diff "
                        + String.format("%.2g", Matrices.maxRelativeDifference(y, yNative)) + ")");
            }
        }
    }

    /** Per thread count, the best time so far (seconds). */
    private double[] bestTimes() {
        double[] times = new double[options.maxThreads() + 1];
        Arrays.fill(times, Double.POSITIVE_INFINITY);
        return times;
    }

    private static String label(DType dtype) {
        return dtype == DType.BF16 ? "bf16*" : "f32";
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
