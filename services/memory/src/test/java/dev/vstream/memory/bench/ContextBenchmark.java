package dev.vstream.memory.bench;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.TokenType;
import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.context.prefill.ContextPrefill;
import dev.vstream.context.prefill.MemoryWindow;
import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.kernels.attention.AttentionShape;
import dev.vstream.kernels.sparse.AShapePattern;
import dev.vstream.kernels.sparse.Boundary;
import dev.vstream.kernels.sparse.DensePattern;
import dev.vstream.kernels.sparse.GridPattern;
import dev.vstream.kernels.sparse.HeadConfig;
import dev.vstream.kernels.sparse.ModalitySpans;
import dev.vstream.kernels.sparse.PatternConfig;
import dev.vstream.kernels.sparse.PatternSearch;
import dev.vstream.kernels.sparse.PermutedBlockSparseAttention;
import dev.vstream.kernels.sparse.VerticalSlashPattern;
import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.encoder.EncoderIdentity;
import dev.vstream.memory.encoder.StarSizes;
import dev.vstream.memory.snapshot.Snapshots;
import dev.vstream.memory.snapshot.StreamMemory;
import dev.vstream.memory.star.SemanticAttention;
import dev.vstream.memory.star.StarMemory;
import dev.vstream.memory.star.StarMemoryConfig;
import dev.vstream.model.demo.DemoNemotronCheckpoint;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.KvPrecision;
import dev.vstream.model.lm.MultimodalPrefill;
import dev.vstream.model.lm.PrefillOptions;
import dev.vstream.model.nemotron.NemotronFlash;
import dev.vstream.model.prompt.PromptLayout;
import dev.vstream.model.sambay.SambaYModel;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Benchmark (not a test) of the context prefill and of time to first token against STAR memory size, on the
 * generated demo SambaY (untrained: hidden 128, 8 layers, 4 heads / 2 kv heads of 32) and real
 * {@link StarMemory} / {@link Snapshots#of} memories fed with synthetic 16x16xC frame features at 1 fps (scenes with
 * a fixed mean map each, a temporally correlated drift and small noise). C defaults to 256 and the snapshot's
 * tokens to F16: a MemorySnapshot holds at most {@code MAX_VALUE_BYTES} (60 MiB) of values, and the long window's
 * 77,993 tokens fit that only below 403 F16 (201 F32) channels, so CLIP ViT-L/14's 1024 cannot be published at
 * that size. The language model's work does not depend on C (the projector maps it to 128).
 *
 * <p>{@code window}: the service's long window ({@code vstream.memory.context.window-frames}): a published memory with
 * N_spa 1 at P_spa 16 (the paper's compressed memory, 1,449 tokens) and, read after it, the newest 300 frames at 16x16
 * that the memory keeps for retrieval (76,800 tokens, never published), so it runs at any vision width, CLIP
 * ViT-L/14's 1024 included ({@code --vision=1024 --sizes=star,mid,window}).
 *
 * <p>Three memory sizes: the paper's STAR ({@link StarSizes#PAPER}, 681 tokens), P_spa 16 with 42 spatial + 3
 * retrieved frames at 16x16 (11,520 full-resolution tokens + 425 compressed), and the long window: P_spa 16 with
 * the newest 300 frames at 16x16 (76,800 + 768 retrieved + 425 compressed). SambaY's context prefill attends
 * nothing (YOCO: its one full-attention layer caches keys and values at positions whose outputs nobody reads), so
 * it runs no sparse patterns; its "sparse" column repeats the options prefill, which is the same linear prefill.
 *
 * <p>{@code --model=nemotron} runs the same tables on the generated demo Nemotron-Flash
 * ({@link DemoNemotronCheckpoint}: untrained, hidden 128, 12 operators of which 2 are GQA attention with 4 heads /
 * 2 kv heads of 32, 16 memory tokens), whose attention outputs feed every later operator, so the sparse patterns do
 * change the context. Its patterns: {@link PatternSearch} per attention operator on that operator's own q/k of the
 * calibration prompt, the operators before it run dense (operator by operator, via the package-private hooks of
 * {@link NemotronFlash}, by reflection), the searched operator through its sparse path with a placeholder pattern
 * (its q/k do not depend on its own pattern).
 *
 * <pre>
 * services/memory/bench/context.sh [--model=sambay|nemotron] [--calibration=window|long|mid] [--vision=256] [--token-type=F16] [--frames=360] [--runs=7] [--prefill-runs=3]
 *     [--long-dense-runs=1] [--questions=6] [--threads=2] [--sizes=star,mid,long,window] [--budget=0.2] [--min-recall=0.9]
 * </pre>
 */
public final class ContextBenchmark {

    private static final int GRID = 16;
    private static final String STREAM = "bench-cam";
    private static final String[] QUESTIONS = {
        "What is happening right now?",
        "What color is the car that drove past?",
        "How many people have appeared in the video so far?",
        "What did the person do before the door opened?",
        "Where is the dog?",
        "Describe the scene at the beginning of the stream.",
        "Has anything changed in the last minute?",
        "Is it day or night?"};

    private ContextBenchmark() {
    }

    /** @param windowFrames frames of the long window read after the published memory (0: none) */
    private record Size(String name, StarMemoryConfig config, int denseRuns, int windowFrames) {
    }

    /** A memory as the service has it: the published snapshot and the long window beside it. */
    private record Built(MemorySnapshot snapshot, MemoryWindow window) {
        int tokens() {
            return snapshot.tokens() + window.tokens();
        }
    }

    /** @param failure why the prefill threw (null when it ran), its runs then stop */
    private record Timing(double[] prefillMs, double[] firstQuestionMs, PrefilledContext context, String failure) {
    }

    public static void main(String[] args) throws Exception {
        int vision = intArg(args, "vision", 256);
        TokenType tokenType = TokenType.valueOf(arg(args, "token-type", "F16"));
        int frames = intArg(args, "frames", 360);
        int runs = intArg(args, "runs", 7);
        int prefillRuns = intArg(args, "prefill-runs", 3);
        int longDenseRuns = intArg(args, "long-dense-runs", 1);
        int questions = Math.min(QUESTIONS.length, intArg(args, "questions", 6));
        int threads = intArg(args, "threads", Runtime.getRuntime().availableProcessors());
        double budget = Double.parseDouble(arg(args, "budget", "0.2"));
        double minRecall = Double.parseDouble(arg(args, "min-recall", "0.9"));
        List<String> wanted = List.of(arg(args, "sizes", "star,mid,long").split(","));
        String modelKind = arg(args, "model", "sambay");
        boolean nemotron = switch (modelKind) {
            case "sambay" -> false;
            case "nemotron" -> true;
            default -> throw new IllegalArgumentException("--model must be sambay or nemotron, got " + modelKind);
        };
        String calibrationSize = arg(args, "calibration", "window");

        LanguageModelHost loadedHost;
        if (nemotron) {
            Path demoDir = Path.of(arg(args, "demo-dir", "services/memory/target/context-bench-nemotron-demo-" + vision));
            Files.createDirectories(demoDir.toAbsolutePath().getParent());
            loadedHost = LanguageModelHost.load(DemoNemotronCheckpoint.ensure(demoDir, vision), null, vision, threads);
        } else {
            Path demoDir = Path.of(arg(args, "demo-dir", "services/memory/target/context-bench-demo-" + vision));
            Files.createDirectories(demoDir.toAbsolutePath().getParent());
            loadedHost = LanguageModelHost.load(null, demoDir, vision, threads);
        }
        if (!(loadedHost instanceof LanguageModelHost.Loaded host)) {
            throw new IllegalStateException("demo model not loaded: " + loadedHost);
        }
        MultimodalPrefill model = host.newModel();
        ContextPrefill prefill = new ContextPrefill(host, model, KvPrecision.F32);
        if (model instanceof NemotronFlash flash) {
            var c = flash.config();
            System.out.printf(Locale.ROOT, "Context benchmark: demo Nemotron-Flash %s (untrained), hidden %d, %d "
                            + "operators %s (%d attention: %d heads / %d kv heads, head dim %d, full context), %d memory "
                            + "tokens, vocab %d; vision width %d; %d compute threads; JVM %s, %d processors, max heap %d "
                            + "MB; memory tokens as %s in the MemorySnapshot%n", host.modelId(), host.embeddingSize(),
                    c.operators().size(), c.layout(), flash.patternLayers(), c.attentionHeads(), c.keyValueHeads(),
                    c.headDim(), c.memoryTokens(), host.vocabSize(), vision, threads, Runtime.version(),
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, tokenType);
        } else {
            SambaYModel samba = (SambaYModel) model;
            System.out.printf(Locale.ROOT, "Context benchmark: demo SambaY %s (untrained), hidden %d, %d layers, %d "
                            + "heads / %d kv heads, head dim %d, window %d, vocab %d; vision width %d; %d compute threads; "
                            + "JVM %s, %d processors, max heap %d MB; memory tokens as %s in the MemorySnapshot%n",
                    host.modelId(), host.embeddingSize(), samba.config().layers(), samba.config().heads(),
                    samba.config().kvHeads(), samba.config().headDim(), samba.config().slidingWindow(), host.vocabSize(),
                    vision, threads, Runtime.version(), Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20, tokenType);
        }

        StarMemoryConfig star = StarSizes.PAPER.forInput(GRID, GRID, vision);
        StarMemoryConfig mid = new StarMemoryConfig(GRID, GRID, vision, 16, 4, 1, 42, 25, 25, 3, 300, 0.2, 1, 32, 10, 0L);
        StarMemoryConfig longWindow =
                new StarMemoryConfig(GRID, GRID, vision, 16, 4, 1, 300, 25, 25, 3, 300, 0.2, 1, 32, 10, 0L);
        // The service's long window: a small published memory (N_spa 1) and its newest 300 frames at 16x16 read after it.
        StarMemoryConfig windowed =
                new StarMemoryConfig(GRID, GRID, vision, 16, 4, 1, 1, 25, 25, 3, 300, 0.2, 1, 32, 10, 0L);
        List<Size> sizes = new ArrayList<>();
        if (wanted.contains("star")) {
            sizes.add(new Size("STAR paper (P_spa 8, N_spa 1)", star, prefillRuns, 0));
        }
        if (wanted.contains("mid")) {
            sizes.add(new Size("P_spa 16, N_spa 42 + N_ret 3", mid, prefillRuns, 0));
        }
        if (wanted.contains("long")) {
            sizes.add(new Size("P_spa 16, N_spa 300 (long window in the snapshot)", longWindow, longDenseRuns, 0));
        }
        if (wanted.contains("window")) {
            sizes.add(new Size("P_spa 16, N_spa 1 + window of 300 frames (context.window-frames)", windowed,
                    longDenseRuns, 300));
        }

        // One stream fed to every memory, so the sizes differ only in what the memory keeps.
        long t0 = System.nanoTime();
        Built[] snapshots = buildSnapshots(sizes, vision, frames, 2026, tokenType);
        System.out.printf(Locale.ROOT, "Memories: %d synthetic frames (1 fps, %d scenes) through StarMemory + "
                + "Snapshots.of in %.1f s%n", frames, scenes(frames), (System.nanoTime() - t0) / 1e9);

        // Patterns: PatternSearch on the model's own q, k of a calibration stream at the long size.
        long t1 = System.nanoTime();
        // SambaY's context prefill attends nothing (YOCO: the one full-attention layer only caches keys and values
        // at positions whose outputs nobody reads), so there is nothing for patterns to search or to skip.
        PatternConfig[] searched = new PatternConfig[2];
        if (model instanceof NemotronFlash flash) {
            Size calibrationMemory = switch (calibrationSize) {
                case "mid" -> new Size("calibration", mid, 1, 0);
                case "long" -> new Size("calibration", longWindow, 1, 0);
                case "window" -> new Size("calibration", windowed, 1, 300);
                default -> throw new IllegalArgumentException("--calibration takes mid, long or window");
            };
            Built calibration = buildSnapshots(List.of(calibrationMemory), vision, frames, 77, tokenType)[0];
            searched = searchNemotronPatterns(host, flash, prefill, calibration, budget, minRecall);
        }
        System.out.printf(Locale.ROOT, "(pattern search, calibration prefill included: %.1f s)%n%n",
                (System.nanoTime() - t1) / 1e9);
        // Variants: the searched patterns when any head is sparse, and the best candidate within the density
        // budget per head without the recall floor when that differs (what sparsity costs this model).
        List<String> variantNames = new ArrayList<>();
        List<PrefillOptions> variants = new ArrayList<>();
        if (searched[0] != null) {
            variantNames.add("searched (recall >= " + minRecall + ")");
            variants.add(PrefillOptions.sparse().withPatterns(searched[0]));
        }
        if (searched[1] != null && !searched[1].equals(searched[0])) {
            variantNames.add("best within budget, no recall floor");
            variants.add(PrefillOptions.sparse().withPatterns(searched[1]));
        }
        if (variants.isEmpty() && model instanceof SambaYModel) {
            variantNames.add("none apply (YOCO: the context prefill attends nothing)");
            variants.add(PrefillOptions.sparse());
        }
        if (variants.isEmpty()) {
            throw new IllegalStateException("no head got a sparse pattern within the budget " + budget);
        }

        int[][] questionTokens = new int[QUESTIONS.length][];
        for (int i = 0; i < QUESTIONS.length; i++) {
            questionTokens[i] = PromptLayout.question(host::encode, QUESTIONS[i]);
        }
        float[] logits = new float[model.vocabSize()];

        // Warm-up (JIT) on the smallest memory, fp32 and bf16 contexts, not recorded.
        for (int i = 0; i < 3; i++) {
            ContextState.Snapshot warm = refresh(prefill, snapshots[0], PrefillOptions.DENSE).state();
            ask(model, warm, questionTokens[0], logits);
            for (int j = 0; j < 5; j++) {
                ask(model, warm.resume().snapshot(KvPrecision.BF16), questionTokens[0], logits);
            }
            for (PrefillOptions v : variants) {
                try {
                    ask(model, refresh(prefill, snapshots[0], v).state(), questionTokens[0], logits);
                } catch (IllegalArgumentException e) {
                    // reported by the measured runs below
                }
            }
        }

        StringBuilder tableA = new StringBuilder();
        tableA.append("| memory | memory tokens | prefix positions | sparse patterns | dense prefill best (runs) | "
                + "sparse prefill best (runs) | speed-up | block density | max abs logit diff | rel. to max abs logit "
                + "| top-1 agree | bit-identical logits |\n");
        tableA.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder tableB = new StringBuilder();
        tableB.append("| memory tokens | prefix positions | state MB | TTFT best | TTFT median | resume best | resume "
                + "median | question prefill + argmax best | median | question tokens |\n");
        tableB.append("|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder tableC = new StringBuilder();
        tableC.append("| memory tokens | 1st question, dense context prefill (best) | 1st question, sparse context "
                + "prefill (best, " + variantNames.get(0) + ") | 2nd question, resume only (best / median) | "
                + "1st dense / 2nd | 1st sparse / 2nd |\n");
        tableC.append("|---|---|---|---|---|---|\n");
        boolean allIdentical = true;
        double[] ttftBest = new double[sizes.size()];
        double[] ttftMedian = new double[sizes.size()];
        double[][] parts = new double[sizes.size()][];
        double[] halvesBest = new double[sizes.size()];
        double[] halvesMedian = new double[sizes.size()];
        StringBuilder tableD = new StringBuilder();
        tableD.append("| memory tokens | state MB fp32 / bf16 | TTFT fp32 best / median | TTFT bf16 best / median | "
                + "max abs logit diff | rel. to max abs logit | top-1 agree |\n");
        tableD.append("|---|---|---|---|---|---|---|\n");

        for (int s = 0; s < sizes.size(); s++) {
            Size size = sizes.get(s);
            Built snapshot = snapshots[s];
            System.out.printf(Locale.ROOT, "... %s: %,d tokens%n", size.name(), snapshot.tokens());
            List<PrefillOptions> all = new ArrayList<>();
            all.add(PrefillOptions.DENSE);
            all.addAll(variants);
            int[] counts = new int[all.size()];
            Arrays.fill(counts, prefillRuns);
            counts[0] = size.denseRuns();
            Timing[] timings = timePrefill(prefill, model, snapshot, all, counts, questionTokens[0], logits);
            Timing dense = timings[0];
            Timing sparseRun = timings[1];
            PrefilledContext denseContext = dense.context();
            double denseBest = min(dense.prefillMs());
            for (int v = 0; v < variants.size(); v++) {
                Timing sparseTiming = timings[v + 1];
                PrefilledContext sparseContext = sparseTiming.context();
                if (sparseTiming.failure() != null) {
                    tableA.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %s | %s (%d) | FAILED: %s | - | - | - "
                                    + "| - | - | - |%n", size.name(), snapshot.tokens(), denseContext.prefixTokens(),
                            variantNames.get(v), ms(denseBest), dense.prefillMs().length, sparseTiming.failure()));
                    continue;
                }
                double maxAbs = 0;
                double maxLogit = 0;
                int agree = 0;
                int identical = 0;
                float[] denseLogits = new float[model.vocabSize()];
                float[] sparseLogits = new float[model.vocabSize()];
                for (int q = 0; q < questions; q++) {
                    int a = ask(model, denseContext.state(), questionTokens[q], denseLogits);
                    int b = ask(model, sparseContext.state(), questionTokens[q], sparseLogits);
                    agree += a == b ? 1 : 0;
                    identical += Arrays.equals(denseLogits, sparseLogits) ? 1 : 0;
                    for (int i = 0; i < denseLogits.length; i++) {
                        maxAbs = Math.max(maxAbs, Math.abs(denseLogits[i] - sparseLogits[i]));
                        maxLogit = Math.max(maxLogit, Math.abs(denseLogits[i]));
                    }
                }
                allIdentical &= identical == questions;
                double sparseBest = min(sparseTiming.prefillMs());
                tableA.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %s | %s (%d) | %s (%d) | %.2fx | %.3f | "
                                + "%.3g | %.3g | %d/%d | %d/%d |%n", size.name(), snapshot.tokens(), denseContext.prefixTokens(),
                        variantNames.get(v), ms(denseBest), dense.prefillMs().length, ms(sparseBest),
                        sparseTiming.prefillMs().length, denseBest / sparseBest,
                        sparseContext.sparse() ? sparseContext.density() : 1.0, maxAbs, maxAbs / maxLogit, agree,
                        questions, identical, questions));
            }

            // b: resume the frozen (dense) context, prefill the question, first token.
            double[] total = new double[runs];
            double[] resume = new double[runs];
            double[] question = new double[runs];
            for (int r = 0; r < runs; r++) {
                long a0 = System.nanoTime();
                ContextState state = denseContext.state().resume();
                long a1 = System.nanoTime();
                model.prefill(state, questionTokens[1], logits);
                argmax(logits);
                long a2 = System.nanoTime();
                resume[r] = (a1 - a0) / 1e6;
                question[r] = (a2 - a1) / 1e6;
                total[r] = (a2 - a0) / 1e6;
            }
            ttftBest[s] = min(total);
            ttftMedian[s] = median(total);
            parts[s] = new double[] {min(resume), median(resume), min(question), median(question)};

            // b2: the same context frozen in bf16 (KvPrecision.BF16): TTFT, and the answers' first tokens against fp32.
            ContextState.Snapshot halves = denseContext.state().resume().snapshot(KvPrecision.BF16);
            double[] halvesTotal = new double[runs];
            for (int r = 0; r < runs; r++) {
                long a0 = System.nanoTime();
                model.prefill(halves.resume(), questionTokens[1], logits);
                argmax(logits);
                halvesTotal[r] = (System.nanoTime() - a0) / 1e6;
            }
            halvesBest[s] = min(halvesTotal);
            halvesMedian[s] = median(halvesTotal);
            float[] exact = new float[model.vocabSize()];
            double maxAbs = 0;
            double maxLogit = 0;
            int agree = 0;
            for (int q = 0; q < questions; q++) {
                int a = ask(model, denseContext.state(), questionTokens[q], exact);
                int b = ask(model, halves, questionTokens[q], logits);
                agree += a == b ? 1 : 0;
                for (int i = 0; i < exact.length; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(exact[i] - logits[i]));
                    maxLogit = Math.max(maxLogit, Math.abs(exact[i]));
                }
            }
            tableD.append(String.format(Locale.ROOT, "| %,d | %.1f / %.1f | %s / %s | %s / %s | %.3g | %.3g | %d/%d |%n",
                    snapshot.tokens(), denseContext.sizeInBytes() / 1e6, halves.sizeInBytes() / 1e6, ms(min(total)),
                    ms(median(total)), ms(halvesBest[s]), ms(halvesMedian[s]), maxAbs, maxAbs / maxLogit, agree,
                    questions));
            tableB.append(String.format(Locale.ROOT, "| %,d | %,d | %.1f | %s | %s | %s | %s | %s | %s | %d |%n",
                    snapshot.tokens(), denseContext.prefixTokens(), denseContext.sizeInBytes() / 1e6, ms(min(total)),
                    ms(median(total)), ms(min(resume)), ms(median(resume)), ms(min(question)), ms(median(question)),
                    questionTokens[1].length));
            double firstDense = min(dense.firstQuestionMs());
            String firstSparse = sparseRun.failure() != null ? "FAILED (see a.)" : ms(min(sparseRun.firstQuestionMs()));
            String firstSparseRatio = sparseRun.failure() != null ? "-"
                    : String.format(Locale.ROOT, "%.0fx", min(sparseRun.firstQuestionMs()) / min(total));
            tableC.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s / %s | %.0fx | %s |%n", snapshot.tokens(),
                    ms(firstDense), firstSparse, ms(min(total)), ms(median(total)), firstDense / min(total),
                    firstSparseRatio));
            snapshots[s] = null;
        }

        System.out.println();
        System.out.println("a. Context refresh of the MemorySnapshot (ContextPrefill.prefill"
                + "), dense vs sparse "
                + "(PrefillOptions.sparse().withPatterns(searched)), and the answer's first-token logits of "
                + questions + " questions on each context:");
        System.out.println();
        System.out.print(tableA);
        if (allIdentical && model instanceof SambaYModel samba) {
            System.out.printf(Locale.ROOT, "%nThe answers' logits are bit-identical on the dense and sparse contexts: "
                    + "the model's only full-attention layer (%d of %d, the KV the cross-attention layers share) "
                    + "caches its keys and values before attending, and its outputs at the prefix positions feed only "
                    + "the cross-decoder, which a context prefill (no logits) does not run for them; so the pattern "
                    + "cannot change the context state.%n", samba.config().sharedKvLayer(), samba.config().layers());
        }
        System.out.println();
        System.out.println("b. Time to first token on the prefilled (dense) context: resume (copy of the frozen state) "
                + "+ prefill of PromptLayout.question tokens + argmax, " + runs + " runs:");
        System.out.println();
        System.out.print(tableB);
        if (sizes.size() > 1) {
            int last = sizes.size() - 1;
            double ratio = ttftBest[last] / ttftBest[0];
            System.out.printf(Locale.ROOT, "%nTTFT ratio largest/smallest memory: best %.2fx, median %.2fx%n", ratio,
                    ttftMedian[last] / ttftMedian[0]);
            if (ratio > 1.5) {
                System.out.printf(Locale.ROOT, "Over 1.5x. Where the time goes (best): resume %s -> %s (%.1fx), "
                                + "question prefill %s -> %s (%.1fx)%n", ms(parts[0][0]), ms(parts[last][0]),
                        parts[last][0] / parts[0][0], ms(parts[0][2]), ms(parts[last][2]), parts[last][2] / parts[0][2]);
            }
        }
        System.out.println();
        System.out.println("b2. The same contexts frozen with bf16 keys and values (ContextState.snapshot(KvPrecision.BF16),"
                + " vstream.memory.context.kv-precision=BF16): time to first token, and the first-token logits of "
                + questions + " questions against the fp32 context:");
        System.out.println();
        System.out.print(tableD);
        if (sizes.size() > 1) {
            int last = sizes.size() - 1;
            System.out.printf(Locale.ROOT, "%nTTFT ratio largest/smallest memory, bf16 contexts: best %.2fx, median "
                    + "%.2fx%n", halvesBest[last] / halvesBest[0], halvesMedian[last] / halvesMedian[0]);
        }
        System.out.println();
        System.out.println("c. First question on a new memory version with the context prefill in its path (as QA's "
                + "fallback) vs a second question on the unchanged context:");
        System.out.println();
        System.out.print(tableC);
        host.close();
    }

    /**
     * Times {@code counts[i]} prefills with each of {@code options}, interleaved (round r runs every option that
     * still has runs left, so the machine's noise hits all alike), each followed by the first question on it (the
     * fallback's first TTFT).
     */
    private static Timing[] timePrefill(ContextPrefill prefill, MultimodalPrefill model, Built snapshot,
                                        List<PrefillOptions> options, int[] counts, int[] question, float[] logits) {
        int rounds = Arrays.stream(counts).max().orElse(0);
        double[][] prefillMs = new double[options.size()][];
        double[][] firstMs = new double[options.size()][];
        PrefilledContext[] contexts = new PrefilledContext[options.size()];
        String[] failures = new String[options.size()];
        for (int o = 0; o < options.size(); o++) {
            prefillMs[o] = new double[counts[o]];
            firstMs[o] = new double[counts[o]];
        }
        for (int r = 0; r < rounds; r++) {
            for (int o = 0; o < options.size(); o++) {
                if (r >= counts[o] || failures[o] != null) {
                    continue;
                }
                contexts[o] = null;
                System.gc();
                long t0 = System.nanoTime();
                PrefilledContext context;
                try {
                    context = refresh(prefill, snapshot, options.get(o));
                } catch (IllegalArgumentException e) {
                    failures[o] = "ContextPrefill.prefill threw IllegalArgumentException: " + e.getMessage();
                    System.out.println("    sparse " + o + ": " + failures[o]);
                    continue;
                }
                long t1 = System.nanoTime();
                ask(model, context.state(), question, logits);
                long t2 = System.nanoTime();
                contexts[o] = context;
                prefillMs[o][r] = (t1 - t0) / 1e6;
                firstMs[o][r] = (t2 - t0) / 1e6;
                System.out.printf(Locale.ROOT, "    %s #%d prefill %s, first question %s (density %.3f)%n",
                        o == 0 ? "dense" : "sparse " + o, r + 1, ms(prefillMs[o][r]), ms(firstMs[o][r]),
                        context.density());
            }
        }
        Timing[] out = new Timing[options.size()];
        for (int o = 0; o < options.size(); o++) {
            out[o] = new Timing(prefillMs[o], firstMs[o], contexts[o], failures[o]);
        }
        return out;
    }

    /** One context refresh, as the memory service runs it. */
    private static PrefilledContext refresh(ContextPrefill prefill, Built memory, PrefillOptions options) {
        return prefill.prefill(memory.snapshot(), memory.window(), options);
    }

    /** Resumes the context, prefills the question, greedy first token. */
    private static int ask(MultimodalPrefill model, ContextState.Snapshot context, int[] question, float[] logits) {
        ContextState state = context.resume();
        model.prefill(state, question, logits);
        return argmax(logits);
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- patterns

    /**
     * MMInference's offline search on the model's own queries and keys: one sparse prefill of the calibration
     * memory with a placeholder pattern (the shared full-attention layer's q and k come from the layers before it,
     * so they do not depend on its pattern), its q and k taken from the model's last sparse pass, and
     * {@link PatternSearch#searchLayer} on each of the two differential-attention maps.
     */
    /**
     * PatternSearch on the demo Nemotron-Flash's own q/k, one attention operator at a time: the calibration prompt
     * (memory tokens first) runs operator by operator as the model's sparse prefill does, every operator dense; at
     * each attention operator its sparse path runs once, on a copy of the residual stream and a fresh cache, with a
     * placeholder pattern (its q/k come from the operators before it, not from its pattern), and its q/k are
     * searched per query head. Reaches the package-private hooks ({@code operators()}, {@code firstSlot},
     * {@code scratch()}, {@code sparseAttention()}, {@code GroupedQueryAttention.forwardSparse}) by reflection.
     */
    private static PatternConfig[] searchNemotronPatterns(LanguageModelHost.Loaded host, NemotronFlash model,
                                                          ContextPrefill prefill, Built calibration,
                                                          double budget, double minRecall) throws Exception {
        int heads = model.patternHeads();
        int layers = model.patternLayers();
        Method promptMethod = ContextPrefill.class.getDeclaredMethod("prompt", MemorySnapshot.class, MemoryWindow.class);
        promptMethod.setAccessible(true);
        Object prompt = promptMethod.invoke(prefill, calibration.snapshot(), calibration.window());
        float[] embeddings = (float[]) accessor(prompt, "embeddings");
        int rows = (int) accessor(prompt, "rows");
        ModalitySpans promptSpans = (ModalitySpans) accessor(prompt, "spans");
        int memory = model.config().memoryTokens();
        int hidden = model.config().hiddenSize();
        Method withMemory = NemotronFlash.class.getDeclaredMethod("withMemory", ModalitySpans.class, int.class,
                int.class);
        withMemory.setAccessible(true);
        ModalitySpans spans = (ModalitySpans) withMemory.invoke(null, promptSpans, memory, rows);
        int total = memory + rows;
        float[] sequence = new float[total * hidden];
        System.arraycopy((float[]) field(model, "memoryTokens"), 0, sequence, 0, memory * hidden);
        System.arraycopy(embeddings, 0, sequence, memory * hidden, rows * hidden);
        embeddings = null;
        List<?> operators = (List<?>) accessor(model, "operators");
        Object scratch = accessor(model, "scratch");
        PermutedBlockSparseAttention attention = (PermutedBlockSparseAttention) accessor(model, "sparseAttention");
        int blockRows = (int) field(model, "blockRows");
        Method firstSlot = NemotronFlash.class.getDeclaredMethod("firstSlot", int.class);
        firstSlot.setAccessible(true);
        Class<?> operatorClass = Class.forName("dev.vstream.model.nemotron.Operator");
        Class<?> scratchClass = Class.forName("dev.vstream.model.nemotron.Scratch");
        Class<?> gqaClass = Class.forName("dev.vstream.model.nemotron.GroupedQueryAttention");
        Method forward = operatorClass.getDeclaredMethod("forward", float[].class, int.class, int.class,
                ContextState.class, int.class, scratchClass);
        forward.setAccessible(true);
        Method forwardSparse = gqaClass.getDeclaredMethod("forwardSparse", float[].class, int.class,
                ContextState.class, int.class, scratchClass, PermutedBlockSparseAttention.class, ModalitySpans.class,
                List.class, int.class);
        forwardSparse.setAccessible(true);

        List<HeadConfig> candidates = List.of(
                new HeadConfig(Boundary.QUERY, new DensePattern(), new AShapePattern(128, 1024)),
                new HeadConfig(Boundary.QUERY, new DensePattern(), new VerticalSlashPattern(1000, 1024)),
                new HeadConfig(Boundary.QUERY, new DensePattern(), new GridPattern(128, 1024, 4, 0.95, 2, 512)),
                new HeadConfig(Boundary.QUERY, new DensePattern(), new AShapePattern(128, 4096)),
                new HeadConfig(Boundary.QUERY, new DensePattern(), new VerticalSlashPattern(2000, 4096)),
                new HeadConfig(Boundary.QUERY, new DensePattern(), new GridPattern(128, 2048, 8, 0.95, 2, 1024)));
        HeadConfig placeholder = new HeadConfig(Boundary.QUERY, new DensePattern(), new AShapePattern(128, 1024));
        System.out.printf(Locale.ROOT, "%nSparse patterns: PatternSearch (density budget %.2f, min recall %.2f, 64 "
                        + "sampled rows) on the demo Nemotron-Flash's own q/k of each attention operator (its inputs "
                        + "from dense operators before it) for a calibration stream (seed 77, %,d memory tokens, %,d "
                        + "positions with the %d memory tokens, video from %,d); %d attention operators, %d query heads "
                        + "/ %d kv heads each. Candidates, cheapest first:%n", budget, minRecall, calibration.tokens(),
                total, memory, firstVideo(spans), layers, heads, model.config().keyValueHeads());
        for (HeadConfig c : candidates) {
            System.out.println("  - " + describe(c));
        }
        List<List<HeadConfig>> chosen = new ArrayList<>();
        List<List<HeadConfig>> unfloored = new ArrayList<>();
        List<String> rowsOut = new ArrayList<>();
        boolean anySparse = false;
        boolean anyUnfloored = false;
        ContextState state = model.newContext();
        float[] block = new float[blockRows * hidden];
        int layer = 0;
        for (int i = 0; i < operators.size() && layer < layers; i++) {
            Object operator = operators.get(i);
            int slot = (int) firstSlot.invoke(model, i);
            if (gqaClass.isInstance(operator)) {
                long s0 = System.nanoTime();
                Object trace = forwardSparse.invoke(operator, sequence.clone(), total, model.newContext(), slot,
                        scratch, attention, spans, Collections.nCopies(heads, placeholder), blockRows);
                float[] q = ((float[]) accessor(trace, "q")).clone();
                float[] k = ((float[]) accessor(trace, "k")).clone();
                AttentionShape shape = (AttentionShape) accessor(trace, "shape");
                List<PatternSearch.Choice> choices = new PatternSearch(attention, candidates, budget, minRecall, 64)
                        .searchLayer(q, k, shape, spans);
                List<PatternSearch.Choice> best = new PatternSearch(attention, candidates, budget, 0, 64)
                        .searchLayer(q, k, shape, spans);
                List<HeadConfig> layerChosen = new ArrayList<>();
                List<HeadConfig> layerBest = new ArrayList<>();
                for (int h = 0; h < choices.size(); h++) {
                    PatternSearch.Choice c = choices.get(h);
                    PatternSearch.Choice b = best.get(h);
                    layerChosen.add(c.config());
                    layerBest.add(b.config());
                    anySparse |= !c.config().isDense();
                    anyUnfloored |= !b.config().isDense();
                    String why = c.config().isDense() && !b.config().isDense()
                            ? String.format(Locale.ROOT, " (best within budget: %s, recall %.3f, density %.3f)",
                            describe(b.config()), b.recall(), b.density()) : "";
                    rowsOut.add(String.format(Locale.ROOT, "| %d (operator %d) | %d | %d | %s | %s | %.3f | %.3f |",
                            layer, i, h, h / (heads / shape.kvHeads()), c.config().isDense() ? "dense"
                                    : describe(c.config()), c.label() + why, c.recall(), c.density()));
                }
                chosen.add(layerChosen);
                unfloored.add(layerBest);
                System.out.printf(Locale.ROOT, "  (attention operator %d: q/k and search %.1f s)%n", i,
                        (System.nanoTime() - s0) / 1e9);
                layer++;
                if (layer == layers) {
                    break; // nothing after the last attention operator is needed
                }
            }
            for (int start = 0; start < total; start += blockRows) {
                int n = Math.min(blockRows, total - start);
                System.arraycopy(sequence, start * hidden, block, 0, n * hidden);
                forward.invoke(operator, block, n, start, state, slot, scratch);
                System.arraycopy(block, 0, sequence, start * hidden, n * hidden);
            }
        }
        System.out.println();
        System.out.println("| attention layer | query head | kv head | chosen pattern | plan label | recall | block "
                + "density |");
        System.out.println("|---|---|---|---|---|---|---|");
        rowsOut.forEach(System.out::println);
        if (!anySparse) {
            System.out.println("Every head stayed dense at min recall " + minRecall + ". The sparse rows below use "
                    + "each head's best candidate within the budget without the recall floor, to show what sparsity "
                    + "costs and saves here.");
        }
        return new PatternConfig[] {anySparse ? new PatternConfig(chosen) : null,
                anyUnfloored ? new PatternConfig(unfloored) : null};
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        java.lang.reflect.Field f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
    }

    private static int firstVideo(ModalitySpans spans) {
        List<ModalitySpans.Span> video = spans.of(dev.vstream.kernels.sparse.Modality.VIDEO);
        return video.isEmpty() ? -1 : video.get(0).start();
    }

    private static Object accessor(Object record, String name) throws ReflectiveOperationException {
        Method m = record.getClass().getDeclaredMethod(name);
        m.setAccessible(true);
        return m.invoke(record);
    }

    private static String describe(HeadConfig c) {
        return c.boundary() + " text " + pattern(c.text()) + ", video " + pattern(c.video());
    }

    private static String pattern(Object p) {
        return switch (p) {
            case DensePattern d -> "dense";
            case AShapePattern a -> "a-shape(sink " + a.sink() + ", window " + a.window() + ")";
            case VerticalSlashPattern v -> "vertical-slash(" + v.verticals() + " v, " + v.slashes() + " s)";
            case GridPattern g -> "grid(sink " + g.sink() + ", window " + g.window() + ", " + g.maxLines()
                    + " lines, stride " + g.minStride() + ".." + g.maxStride() + ")";
            default -> p.toString();
        };
    }

    // ---------------------------------------------------------------- memories

    private static int scenes(int frames) {
        return Math.max(2, frames / 60);
    }

    /**
     * Feeds one synthetic stream to a memory of each config and returns their snapshots. Frames: scenes of 30-90
     * frames, each a fixed random mean map (patch x channel); a frame is the scene mean plus a slowly drifting,
     * temporally correlated component (AR(1), 0.95) plus small independent noise.
     */
    private static Built[] buildSnapshots(List<Size> sizes, int channels, int frames, long seed, TokenType tokenType) {
        List<StarMemoryConfig> configs = sizes.stream().map(Size::config).toList();
        Random random = new Random(seed);
        int patches = GRID * GRID;
        int n = patches * channels;
        List<StarMemory> memories = new ArrayList<>();
        for (StarMemoryConfig config : configs) {
            memories.add(new StarMemory(config, SemanticAttention.random(config.attentionDim(), channels, 1)));
        }
        float[] mean = new float[n];
        float[] drift = new float[n];
        int sceneLeft = 0;
        long pts = 0;
        for (int f = 0; f < frames; f++) {
            if (sceneLeft == 0) {
                sceneLeft = 30 + random.nextInt(61);
                for (int i = 0; i < n; i++) {
                    mean[i] = (float) random.nextGaussian();
                }
            }
            sceneLeft--;
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                drift[i] = 0.95f * drift[i] + 0.05f * (float) random.nextGaussian();
                values[i] = mean[i] + drift[i] + 0.05f * (float) random.nextGaussian();
            }
            pts = f * 1_000_000L;
            FrameFeatures frame = new FrameFeatures(values, GRID, GRID, channels, pts);
            for (StarMemory memory : memories) {
                memory.update(frame);
            }
        }
        EncoderIdentity encoder = new EncoderIdentity("synthetic-clip-vit-l14-like", "0".repeat(64));
        StreamMemory stored = new StreamMemory(pts, 1_790_000_000_000L + pts / 1000, new byte[0]);
        Built[] out = new Built[configs.size()];
        for (int m = 0; m < memories.size(); m++) {
            StarMemory memory = memories.get(m);
            MemorySnapshot snapshot = Snapshots.of(STREAM, memory, stored, encoder, tokenType, memory.newTokens());
            if (snapshot.tokens() != memory.config().maxTokens()) {
                throw new IllegalStateException("memory holds " + snapshot.tokens() + " tokens, not "
                        + memory.config().maxTokens());
            }
            int wanted = sizes.get(m).windowFrames();
            MemoryWindow window = MemoryWindow.NONE;
            if (wanted > 0) {
                float[][] held = new float[wanted][];
                long[] times = new long[wanted];
                int taken = memory.newestFrames(wanted, held, times);
                window = new MemoryWindow(Arrays.copyOf(held, taken), Arrays.copyOf(times, taken),
                        memory.config().spatialTokens(), channels);
            }
            out[m] = new Built(snapshot, window);
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private static String ms(double millis) {
        return millis >= 1000 ? String.format(Locale.ROOT, "%.2f s", millis / 1000)
                : String.format(Locale.ROOT, "%.2f ms", millis);
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String arg(String[] args, String name, String fallback) {
        for (String a : args) {
            if (a.startsWith("--" + name + "=")) {
                return a.substring(name.length() + 3);
            }
        }
        return fallback;
    }

    private static int intArg(String[] args, String name, int fallback) {
        return Integer.parseInt(arg(args, name, Integer.toString(fallback)));
    }
}
