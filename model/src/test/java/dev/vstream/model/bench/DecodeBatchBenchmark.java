package dev.vstream.model.bench;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LanguageModel;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.nemotron.NemotronFlash;
import dev.vstream.model.sambay.SambaYModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Batched decode against one step per answer, at the models' real widths with random bf16 weights: B answers
 * (each after its own 32-token prompt) advanced by {@link LanguageModel#decodeBatch} against the same B answers
 * stepped one after another with {@code decodeStep}, in the same process and round. A decode step reads every
 * weight once, so batching B answers should approach B times the tokens/s of one until the arithmetic, not the
 * memory, bounds it. Not a test: {@code model/bench/run.sh --bench=decode-batch}.
 *
 * <pre>
 * --models=phi4,nemotron --phi4-layers=4 --batches=1,2,4,8,16 --steps=6 --rounds=2 --threads=2 --dir=TMP
 * </pre>
 */
public final class DecodeBatchBenchmark {

    private static final int PROMPT = 32;

    private DecodeBatchBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        java.util.Map<String, String> options = new java.util.TreeMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("options are --name=value, got " + arg);
            }
            options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        int[] batches = Arrays.stream(options.getOrDefault("batches", "1,2,4,8,16").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int steps = Integer.parseInt(options.getOrDefault("steps", "6"));
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "2"));
        int threads = Integer.parseInt(options.getOrDefault("threads",
                Integer.toString(Runtime.getRuntime().availableProcessors())));
        int phi4Layers = Integer.parseInt(options.getOrDefault("phi4-layers", "4"));
        Path dir = Path.of(options.getOrDefault("dir", System.getProperty("java.io.tmpdir")));
        System.out.printf(Locale.ROOT, "Decode batch benchmark: %d compute threads, %d steps x %d rounds, JVM %s, %d "
                + "processors%n", threads, steps, rounds, Runtime.version(), Runtime.getRuntime().availableProcessors());
        for (String name : options.getOrDefault("models", "phi4,nemotron").split(",")) {
            HybridShapes.Model shape = switch (name) {
                case "phi4" -> HybridShapes.phi4MiniFlash(phi4Layers);
                case "nemotron" -> HybridShapes.nemotronFlash1B();
                default -> throw new IllegalArgumentException("--models takes phi4 and nemotron, got " + name);
            };
            Path folder = Files.createTempDirectory(dir, "vstream-bench-" + name + "-");
            try {
                long bytes = RandomCheckpoint.write(folder, shape.config(), shape.tensors(), 42);
                System.out.printf(Locale.ROOT, "%n%s: %d layers, %.2f GB of random bf16 weights%n", shape.name(),
                        shape.layers(), bytes / 1e9);
                run(folder, name, batches, steps, rounds, threads);
            } finally {
                RandomCheckpoint.delete(folder);
            }
        }
    }

    private static void run(Path folder, String name, int[] batches, int steps, int rounds, int threads) {
        double[] batched = new double[batches.length];
        double[] sequential = new double[batches.length];
        Arrays.fill(batched, Double.POSITIVE_INFINITY);
        Arrays.fill(sequential, Double.POSITIVE_INFINITY);
        double maxAbs = 0;
        try (Checkpoint checkpoint = Checkpoint.open(folder); ComputePool pool = new ComputePool(threads)) {
            CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.AUTO, CpuFeatures.detect(), pool);
            LanguageModel model = name.equals("nemotron") ? NemotronFlash.load(checkpoint, kernels)
                    : SambaYModel.load(checkpoint, kernels);
            int vocab = model.vocabSize();
            for (int round = 0; round < rounds; round++) {
                for (int b = 0; b < batches.length; b++) {
                    int n = batches[b];
                    SplittableRandom random = new SplittableRandom(round * 31L + n);
                    List<ContextState> mine = new ArrayList<>();
                    List<ContextState> theirs = new ArrayList<>();
                    float[] logits = new float[vocab];
                    for (int i = 0; i < n; i++) {
                        int[] prompt = random.ints(PROMPT, 0, vocab).toArray();
                        ContextState context = model.newContext();
                        model.prefill(context, prompt, logits);
                        ContextState.Snapshot frozen = context.snapshot();
                        mine.add(frozen.resume());
                        theirs.add(frozen.resume());
                    }
                    int[] tokens = random.ints(n, 0, vocab).toArray();
                    float[] out = new float[n * vocab];
                    float[] one = new float[vocab];
                    for (int s = 0; s < steps; s++) {
                        long t0 = System.nanoTime();
                        model.decodeBatch(mine, tokens, out);
                        long t1 = System.nanoTime();
                        for (int i = 0; i < n; i++) {
                            model.decodeStep(theirs.get(i), tokens[i], one);
                            for (int v = 0; v < vocab; v++) {
                                maxAbs = Math.max(maxAbs, Math.abs(one[v] - out[i * vocab + v]));
                            }
                        }
                        long t2 = System.nanoTime();
                        batched[b] = Math.min(batched[b], (t1 - t0) / 1e9);
                        sequential[b] = Math.min(sequential[b], (t2 - t1) / 1e9);
                        for (int i = 0; i < n; i++) {
                            tokens[i] = argMax(out, i * vocab, vocab);
                        }
                    }
                    System.out.printf(Locale.ROOT, "  round %d, B = %d: batched step %.1f ms, %d single steps %.1f ms%n",
                            round, n, batched[b] * 1e3, n, sequential[b] * 1e3);
                }
            }
        }
        System.out.println();
        System.out.println("| answers B | batched step (best) | B single steps (best) | tokens/s batched | tokens/s one "
                + "after another | speed-up |");
        System.out.println("|---|---|---|---|---|---|");
        for (int b = 0; b < batches.length; b++) {
            int n = batches[b];
            System.out.printf(Locale.ROOT, "| %d | %.1f ms | %.1f ms | %.2f | %.2f | %.2fx |%n", n, batched[b] * 1e3,
                    sequential[b] * 1e3, n / batched[b], n / sequential[b], sequential[b] / batched[b]);
        }
        System.out.printf(Locale.ROOT, "%nmax abs logit difference batched vs single steps: %.3g%n", maxAbs);
    }

    private static int argMax(float[] logits, int offset, int vocab) {
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (logits[offset + v] > logits[offset + best]) {
                best = v;
            }
        }
        return best;
    }
}
