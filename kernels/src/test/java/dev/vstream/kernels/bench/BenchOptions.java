package dev.vstream.kernels.bench;

import dev.vstream.kernels.bench.openblas.OpenBlas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * Command line of {@link LinalgBenchmark}:
 * {@code --threads=1,2 --rounds=3 --iterations=10 --rotation-mib=1024 --warmup-ms=1000 --openblas=libopenblas.so.0
 * --cases=bandwidth,gemm,gemv}.
 *
 * @param threads       thread counts to run every case with
 * @param rounds        passes over every thread count of a case, ours and OpenBLAS alternating;
 *                      the best pass counts (other processes on a shared machine come and go)
 * @param iterations    timed repetitions per pass (at least; short cases repeat for 0.3 s)
 * @param rotationBytes size of the bandwidth buffer and of each GEMV weight rotation; it must
 *                      exceed the last-level cache (480 MiB were reported on one machine)
 * @param warmupNanos   untimed running before each case
 * @param openblas      soname or path of the OpenBLAS library
 * @param cases         which parts to run: {@code bandwidth}, {@code gemm}, {@code gemv}
 */
record BenchOptions(int[] threads, int rounds, int iterations, long rotationBytes, long warmupNanos, String openblas,
                    Set<String> cases) {

    static final Set<String> ALL_CASES = Set.of("bandwidth", "gemm", "gemv");

    BenchOptions {
        if (threads.length == 0 || Arrays.stream(threads).anyMatch(t -> t < 1)) {
            throw new IllegalArgumentException("--threads needs positive counts, got " + Arrays.toString(threads));
        }
        if (rounds < 1 || iterations < 1 || rotationBytes < (1 << 20) || warmupNanos < 0) {
            throw new IllegalArgumentException("--rounds >= 1, --iterations >= 1, --rotation-mib >= 1, --warmup-ms >= 0");
        }
        if (cases.isEmpty() || !ALL_CASES.containsAll(cases)) {
            throw new IllegalArgumentException("--cases must list some of " + ALL_CASES + ", got " + cases);
        }
        cases = Set.copyOf(cases);
    }

    static BenchOptions parse(String[] args) {
        int[] threads = {1, 2};
        int rounds = 3;
        int iterations = 10;
        long rotationMib = 1024;
        long warmupMs = 1000;
        String openblas = OpenBlas.DEFAULT_LIBRARY;
        Set<String> cases = ALL_CASES;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            switch (kv[0]) {
                case "--threads" -> threads = Arrays.stream(kv[1].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--rounds" -> rounds = Integer.parseInt(kv[1]);
                case "--iterations" -> iterations = Integer.parseInt(kv[1]);
                case "--rotation-mib" -> rotationMib = Long.parseLong(kv[1]);
                case "--warmup-ms" -> warmupMs = Long.parseLong(kv[1]);
                case "--openblas" -> openblas = kv[1];
                case "--cases" -> cases = Set.of(kv[1].split(","));
                default -> throw new IllegalArgumentException("unknown option " + kv[0]
                        + " (known: --threads, --rounds, --iterations, --rotation-mib, --warmup-ms, --openblas, --cases)");
            }
        }
        return new BenchOptions(threads, rounds, iterations, rotationMib << 20, warmupMs * 1_000_000, openblas, cases);
    }

    int maxThreads() {
        return Arrays.stream(threads).max().orElseThrow();
    }

    /** The {@code model name} line of /proc/cpuinfo, or the architecture elsewhere. */
    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
    }
}
