package dev.vstream.model.bench;

import dev.vstream.kernels.cpu.MemoryBandwidth;
import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.linalg.Gemm;
import dev.vstream.kernels.linalg.VectorGemm;
import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LanguageModel;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.nemotron.NemotronFlash;
import dev.vstream.model.sambay.SambaYModel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import jdk.incubator.vector.FloatVector;

/**
 * Prefill and decode speed of the two hybrid LMs at their real dimensions with random bf16
 * weights, against ceilings measured in the same run: prefill tokens/s against what our GEMM
 * peak allows (2 x layer-matrix parameters FLOPs per position), decode tokens/s against what
 * the memory read bandwidth allows (weight bytes read per token / GB/s). Not a test: run
 * {@code model/bench/run.sh}.
 *
 * <p>The random checkpoint (config.json + model.safetensors with the real tensor names) is
 * written to a temporary folder and loaded by the real loaders, then deleted. Timings are the
 * best over {@code --rounds}, since other processes on a shared machine only ever slow a run
 * down; the ceilings are re-measured every round and the best kept.
 *
 * <pre>
 * --threads=1,2 --prefill=512,2048 --decode-steps=16 --rounds=2 --phi4-layers=8
 * --models=nemotron,phi4 --dir=TMP --bandwidth-mib=512
 * </pre>
 */
public final class HybridModelBenchmark {

    private static final int DECODE_PROMPT = 32;

    private final Map<String, String> options;
    private final int[] threads;
    private final int[] prefillLengths;
    private final int decodeSteps;
    private final int rounds;
    private final double[] gemmPeak;   // FLOP/s per thread count
    private final double[] bandwidth;  // bytes/s per thread count
    private final List<String> rows = new ArrayList<>();

    private HybridModelBenchmark(Map<String, String> options) {
        this.options = options;
        this.threads = ints(options.getOrDefault("threads", "1,2"));
        this.prefillLengths = ints(options.getOrDefault("prefill", "512,2048"));
        this.decodeSteps = Integer.parseInt(options.getOrDefault("decode-steps", "16"));
        this.rounds = Integer.parseInt(options.getOrDefault("rounds", "2"));
        int maxThreads = Arrays.stream(threads).max().orElseThrow();
        this.gemmPeak = new double[maxThreads + 1];
        this.bandwidth = new double[maxThreads + 1];
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new TreeMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("options are --name=value, got " + arg);
            }
            options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        System.out.println("CPU: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores visible; Vector API " + FloatVector.SPECIES_PREFERRED + "; options " + options);
        new HybridModelBenchmark(options).run();
    }

    private void run() throws IOException {
        try (MemoryBandwidth reader = new MemoryBandwidth(Long.parseLong(options.getOrDefault("bandwidth-mib", "512")) << 20)) {
            measureCeilings(reader);
            Path dir = Path.of(options.getOrDefault("dir", System.getProperty("java.io.tmpdir")));
            for (String name : options.getOrDefault("models", "nemotron,phi4").split(",")) {
                HybridShapes.Model shape = switch (name) {
                    case "nemotron" -> HybridShapes.nemotronFlash1B();
                    case "phi4" -> HybridShapes.phi4MiniFlash(Integer.parseInt(options.getOrDefault("phi4-layers", "8")));
                    default -> throw new IllegalArgumentException("unknown model " + name + " (nemotron, phi4)");
                };
                HybridShapes.Model full = name.equals("phi4") ? HybridShapes.phi4MiniFlash(32) : shape;
                Path folder = Files.createTempDirectory(dir, "vstream-bench-" + name + "-");
                try {
                    long start = System.nanoTime();
                    long bytes = RandomCheckpoint.write(folder, shape.config(), shape.tensors(), 42);
                    System.out.printf("%s: %d layers, %.2f GB of random bf16 weights written to %s in %.0f s%n",
                            shape.name(), shape.layers(), bytes / 1e9, folder, (System.nanoTime() - start) / 1e9);
                    benchmark(folder, name, shape, full, reader);
                    printTable();
                } finally {
                    RandomCheckpoint.delete(folder);
                }
            }
            System.out.printf("%nchecksum %s%n", reader.checksum());
        }
    }

    private void measureCeilings(MemoryBandwidth reader) {
        for (int t : threads) {
            try (ComputePool pool = new ComputePool(t)) {
                bandwidth[t] = Math.max(bandwidth[t], reader.measure(pool, 40));
                gemmPeak[t] = Math.max(gemmPeak[t], gemmFlops(pool));
            }
        }
    }

    /**
     * Our GEMM on bf16 weights in the shapes that dominate prefill (a 512-row block through an
     * FFN projection of each model), best of a few: the prefill ceiling.
     */
    private static double gemmFlops(ComputePool pool) {
        Gemm gemm = new VectorGemm(pool);
        double best = 0;
        int[][] shapes = {{512, 6144, 2048}, {512, 2560, 10240}};
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : shapes) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                MemorySegment w = arena.allocate((long) n * k * 2, 64);
                SplittableRandom random = new SplittableRandom(7);
                for (long i = 0; i < (long) n * k; i++) {
                    w.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i,
                            (short) (Float.floatToRawIntBits((float) random.nextDouble(-0.05, 0.05)) >>> 16));
                }
                Tensor weight = new Tensor(Shape.of(n, k), DType.BF16, w);
                float[] a = new float[m * k];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) random.nextDouble(-1, 1);
                }
                float[] c = new float[m * n];
                for (int r = 0; r < 5; r++) {
                    long start = System.nanoTime();
                    gemm.multiply(a, 0, m, weight, c, 0);
                    best = Math.max(best, 2.0 * m * n * k / ((System.nanoTime() - start) / 1e9));
                }
            }
        }
        return best;
    }

    private void benchmark(Path folder, String name, HybridShapes.Model shape, HybridShapes.Model full,
            MemoryBandwidth reader) {
        int memory = name.equals("nemotron") ? HybridShapes.NEMOTRON_MEMORY_TOKENS : 0;
        double[][] prefillSeconds = new double[threads.length][prefillLengths.length];
        double[] decodeSeconds = new double[threads.length];
        for (double[] row : prefillSeconds) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        Arrays.fill(decodeSeconds, Double.POSITIVE_INFINITY);
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            for (int round = 0; round < rounds; round++) {
                measureCeilings(reader);
                for (int ti = 0; ti < threads.length; ti++) {
                    try (ComputePool pool = new ComputePool(threads[ti])) {
                        CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.AUTO, CpuFeatures.detect(), pool);
                        LanguageModel model = name.equals("nemotron") ? NemotronFlash.load(checkpoint, kernels)
                                : SambaYModel.load(checkpoint, kernels);
                        float[] logits = new float[model.vocabSize()];
                        SplittableRandom random = new SplittableRandom(round);
                        if (round == 0) {
                            model.prefill(model.newContext(), tokens(random, 64, model.vocabSize()), logits); // JIT, page-in
                        }
                        double perToken = decode(model, random, logits);
                        decodeSeconds[ti] = Math.min(decodeSeconds[ti], perToken);
                        System.out.printf("  round %d, %d thread(s): decode %.1f ms/token%n", round, threads[ti],
                                perToken * 1e3);
                        for (int pi = 0; pi < prefillLengths.length; pi++) {
                            int[] prompt = tokens(random, prefillLengths[pi], model.vocabSize());
                            long start = System.nanoTime();
                            model.prefill(model.newContext(), prompt, logits);
                            double seconds = (System.nanoTime() - start) / 1e9;
                            check(logits);
                            prefillSeconds[ti][pi] = Math.min(prefillSeconds[ti][pi], seconds);
                            System.out.printf("  round %d, %d thread(s): prefill %d: %.2f s (%.1f tok/s)%n", round,
                                    threads[ti], prefillLengths[pi], seconds, prefillLengths[pi] / seconds);
                        }
                    }
                }
                measureCeilings(reader);
            }
        }
        for (int ti = 0; ti < threads.length; ti++) {
            addRows(shape, shape, threads[ti], memory, prefillSeconds[ti], decodeSeconds[ti], false);
            if (full != shape) {
                addRows(shape, full, threads[ti], memory, prefillSeconds[ti], decodeSeconds[ti], true);
            }
        }
    }

    /**
     * Seconds of the fastest of {@code decodeSteps} steps after a short prompt: every step reads
     * all weights, so the fastest is the one other processes disturbed least.
     */
    private double decode(LanguageModel model, SplittableRandom random, float[] logits) {
        ContextState state = model.newContext();
        model.prefill(state, tokens(random, DECODE_PROMPT, model.vocabSize()), logits);
        int token = random.nextInt(model.vocabSize());
        long best = Long.MAX_VALUE;
        long total = 0;
        for (int s = 0; s < decodeSteps; s++) {
            long start = System.nanoTime();
            model.decodeStep(state, token, logits);
            long elapsed = System.nanoTime() - start;
            best = Math.min(best, elapsed);
            total += elapsed;
            token = argMax(logits);
        }
        check(logits);
        System.out.printf("  decode: best step %.1f ms, mean %.1f ms%n", best / 1e6, total / 1e6 / decodeSteps);
        return best / 1e9;
    }

    private void addRows(HybridShapes.Model measured, HybridShapes.Model reported, int t, int memory,
            double[] prefillSeconds, double decodeSeconds, boolean extrapolated) {
        // Extrapolation to the full depth scales time by the work: FLOPs for prefill, bytes for decode.
        double flopScale = (double) reported.matrixParameters() / measured.matrixParameters();
        double byteScale = (double) reported.decodeBytes() / measured.decodeBytes();
        StringBuilder row = new StringBuilder(String.format("%-30s %3d",
                reported.name() + " L" + reported.layers() + (extrapolated ? " (est.)" : ""), t));
        for (int pi = 0; pi < prefillLengths.length; pi++) {
            int n = prefillLengths[pi];
            double tokensPerSecond = n / (prefillSeconds[pi] * flopScale);
            double limit = gemmPeak[t] / (2.0 * reported.matrixParameters()) * n / (n + memory);
            row.append(String.format(" %9.1f %7.1f %4.0f%%", tokensPerSecond, limit, 100 * tokensPerSecond / limit));
        }
        double decodeTps = 1 / (decodeSeconds * byteScale);
        double decodeLimit = bandwidth[t] / reported.decodeBytes();
        row.append(String.format(" %9.2f %9.2f %7.2fx", decodeTps, decodeLimit, decodeLimit / decodeTps));
        rows.add(row.toString());
    }

    private void printTable() {
        System.out.println();
        for (int t : threads) {
            System.out.printf("ceilings, %d thread(s), best over the run: GEMM (bf16 weights) %.1f GFLOP/s, "
                    + "memory read %.1f GB/s%n", t, gemmPeak[t] / 1e9, bandwidth[t] / 1e9);
        }
        System.out.println();
        StringBuilder header = new StringBuilder(String.format("%-30s %3s", "model", "thr"));
        for (int n : prefillLengths) {
            header.append(String.format(" %9s %7s %5s", "pf" + n + " t/s", "limit", "%"));
        }
        header.append(String.format(" %9s %9s %8s", "decode t/s", "limit", "lim/dec"));
        System.out.println(header);
        rows.forEach(System.out::println);
        System.out.println();
        System.out.println("pfN t/s: prompt tokens per second of one prefill of N tokens (best of the rounds); limit: "
                + "GEMM peak / (2 x layer-matrix parameters) per position,");
        System.out.println("  Nemotron-Flash also runs its 256 memory tokens, so its limit is scaled by N/(N+256); "
                + "attention scores are not counted.");
        System.out.println("decode t/s: 1 / fastest step after a " + DECODE_PROMPT + "-token prompt (best of steps and rounds); limit: "
                + "memory read GB/s / weight bytes read per token (every bf16 tensor once, tied head included);");
        System.out.println("  lim/dec = how many times slower decode is than the bandwidth limit (goal <= 1.5x).");
        System.out.println("(est.) rows scale the measured reduced-depth times to all 32 layers by FLOPs (prefill) "
                + "and weight bytes (decode).");
    }

    private static int[] tokens(SplittableRandom random, int count, int vocab) {
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = random.nextInt(vocab);
        }
        return ids;
    }

    private static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static void check(float[] logits) {
        for (float v : logits) {
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("non-finite logit " + v + ": the random weights blow up");
            }
        }
    }

    private static int[] ints(String list) {
        return Arrays.stream(list.split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
