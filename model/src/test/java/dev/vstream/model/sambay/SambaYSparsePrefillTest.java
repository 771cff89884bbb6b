package dev.vstream.model.sambay;

import static dev.vstream.model.lm.SparsePrefillChecks.SAME;
import static dev.vstream.model.lm.SparsePrefillChecks.assertSameCache;
import static dev.vstream.model.lm.SparsePrefillChecks.maxRel;
import static dev.vstream.model.lm.SparsePrefillChecks.randomTokens;
import static dev.vstream.model.lm.SparsePrefillChecks.uniform;
import static dev.vstream.model.lm.SparsePrefillChecks.videoLikeStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.attention.HeadPlan;
import dev.vstream.kernels.attention.ReferenceAttention;
import dev.vstream.kernels.attention.TokenMask;
import dev.vstream.kernels.sparse.AShapePattern;
import dev.vstream.kernels.sparse.Boundary;
import dev.vstream.kernels.sparse.DensePattern;
import dev.vstream.kernels.sparse.GridPattern;
import dev.vstream.kernels.sparse.HeadConfig;
import dev.vstream.kernels.sparse.ModalitySpans;
import dev.vstream.kernels.sparse.PatternConfig;
import dev.vstream.kernels.sparse.VerticalSlashPattern;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.KvCache;
import dev.vstream.model.lm.LanguageModel.Logits;
import dev.vstream.model.lm.PrefillOptions;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sparse prefill of SambaY's full-attention (differential, shared-KV) layer: dense patterns
 * give the dense prefill; a pattern that covers everything runs the sparse kernel for both
 * softmax maps and matches the dense prefill within rounding; real sparse patterns give, at
 * the layer, exactly the attention each map's plan mask defines (double reference); the shared
 * KV cache is the dense one and decode continues as after a dense prefill.
 */
class SambaYSparsePrefillTest {

    private static final double ROW_REL_TOLERANCE = 1e-4;
    /** Prefill blocks of the tests: several blocks per prompt. */
    private static final int BLOCK = 64;

    /**
     * The scalar kernels: strict IEEE float arithmetic whatever the JIT does, so two runs of the
     * same computation agree to the bit (with the Vector API kernels two dense prefills of
     * this model differ by up to ~1.5e-6 relative in the shared cache: reductions round
     * differently interpreted and compiled, and the Mamba layers carry it forward).
     */
    private static SambaYModel load(Checkpoint checkpoint) {
        return SambaYModel.load(checkpoint, SambaYGoldens.SCALAR, DifferentialAttention.QUERY_CHUNK, BLOCK);
    }

    private static KvCache sharedCache(SambaYModel model, ContextState state) {
        int slot = 0;
        for (int i = 0; i < model.config().layers(); i++) {
            switch (model.config().kind(i)) {
                case MAMBA, MEMORY_MAMBA -> slot += 2;
                case SLIDING_ATTENTION -> slot++;
                case FULL_ATTENTION -> {
                    return state.cache(slot, KvCache.class);
                }
                default -> { }
            }
        }
        throw new AssertionError("no full-attention layer");
    }

    @Test
    void densePatternsGiveTheDensePrefill() {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = load(checkpoint);
            assertThat(model.patternLayers()).isEqualTo(1);
            assertThat(model.patternHeads()).isEqualTo(model.config().heads());
            int vocab = model.vocabSize();
            int[] tokens = randomTokens(150, vocab, 11);
            float[] dense = new float[tokens.length * vocab];
            float[] sparse = new float[tokens.length * vocab];
            ContextState denseState = model.newContext();
            model.prefill(denseState, tokens, Logits.ALL_POSITIONS, dense);
            ContextState sparseState = model.newContext();
            PrefillOptions options = PrefillOptions.sparse().withSpans(ModalitySpans.video(10, 120, 20))
                    .withPatterns(uniform(HeadConfig.dense(), model.patternHeads()));
            model.prefill(sparseState, tokens, options, Logits.ALL_POSITIONS, sparse);
            assertThat(model.lastSparseLayers()).isZero();
            double rel = maxRel(sparse, dense, dense.length);
            System.out.printf(Locale.ROOT, "dense patterns vs dense prefill: logits max rel %.3e%n", rel);
            assertThat(rel).isLessThan(SAME);
            assertThat(sparseState.position()).isEqualTo(denseState.position());
            float[] a = new float[vocab];
            float[] b = new float[vocab];
            model.decodeStep(denseState, 7, a);
            model.decodeStep(sparseState, 7, b);
            assertThat(maxRel(b, a, vocab)).isLessThan(SAME);
        }
    }

    /**
     * An A-shape whose window holds the whole sequence attends exactly the dense keys through
     * the kernel: logits of every position and of the last within rounding of the dense
     * prefill, the shared cache the dense one, decode after it within rounding; the same from
     * input embeddings.
     */
    @Test
    void aPatternCoveringEverythingRunsTheKernelAndMatchesTheDensePrefill() {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = load(checkpoint);
            int vocab = model.vocabSize();
            int[] tokens = randomTokens(301, vocab, 12);
            HeadConfig everything = new HeadConfig(Boundary.QUERY, new AShapePattern(0, 1 << 20),
                    new AShapePattern(0, 1 << 20));
            PrefillOptions options = PrefillOptions.sparse().withSpans(ModalitySpans.video(17, 250, 34))
                    .withPatterns(uniform(everything, model.patternHeads()));
            for (Logits which : Logits.values()) {
                int outputs = which == Logits.ALL_POSITIONS ? tokens.length : 1;
                float[] dense = new float[outputs * vocab];
                float[] sparse = new float[outputs * vocab];
                ContextState denseState = model.newContext();
                model.prefill(denseState, tokens, which, dense);
                ContextState sparseState = model.newContext();
                model.prefill(sparseState, tokens, options, which, sparse);
                // Only when every position's logits are wanted does the shared layer attend for every row (YOCO):
                // for the last position's the patterns have nothing to do, and the result is the dense one exactly.
                assertThat(model.lastSparseLayers()).isEqualTo(which == Logits.ALL_POSITIONS ? 1 : 0);
                if (which == Logits.LAST_POSITION) {
                    // The same computation (up to the vector kernels' JIT-dependent last bits).
                    assertThat(maxRel(sparse, dense, dense.length)).isLessThan(1e-6);
                }
                assertThat(sparseState.position()).isEqualTo(tokens.length).isEqualTo(denseState.position());
                double rel = maxRel(sparse, dense, dense.length);
                System.out.printf(Locale.ROOT, "sparse kernel (full a-shape) vs dense prefill, %s: logits max rel "
                        + "%.3e%n", which, rel);
                assertThat(rel).isLessThan(1e-5);
                assertSameCache(sharedCache(model, sparseState), sharedCache(model, denseState), "shared KV cache");
                float[] a = new float[vocab];
                float[] b = new float[vocab];
                for (int token : new int[] {3, 99, 200}) {
                    model.decodeStep(denseState, token, a);
                    model.decodeStep(sparseState, token, b);
                    double decodeRel = maxRel(b, a, vocab);
                    System.out.printf(Locale.ROOT, "decode %d after sparse vs dense prefill: max rel %.3e%n", token,
                            decodeRel);
                    assertThat(decodeRel).isLessThan(1e-5);
                }
            }

            // From input embeddings (the QA service's video memory path).
            int d = model.embeddingSize();
            float[] rows = new float[tokens.length * d];
            for (int t = 0; t < tokens.length; t++) {
                model.embed(tokens[t], rows, t * d);
            }
            float[] dense = new float[vocab];
            float[] sparse = new float[vocab];
            ContextState denseState = model.newContext();
            model.prefillEmbeddings(denseState, rows, tokens.length, dense);
            ContextState sparseState = model.newContext();
            model.prefillEmbeddings(sparseState, rows, tokens.length, options, sparse);
            assertThat(model.lastSparseLayers()).isZero();
            double rel = maxRel(sparse, dense, vocab);
            System.out.printf(Locale.ROOT, "embedding prefill, sparse kernel (full a-shape) vs dense: max rel %.3e%n",
                    rel);
            assertThat(rel).isLessThan(1e-5);
            ContextState noLogits = model.newContext();
            model.prefillEmbeddings(noLogits, rows, tokens.length, options, null);
            assertSameCache(sharedCache(model, noLogits), sharedCache(model, denseState), "shared KV cache");
            float[] a = new float[vocab];
            float[] b = new float[vocab];
            model.prefill(denseState, new int[] {5, 6}, a);
            model.prefill(noLogits, new int[] {5, 6}, b);
            assertThat(maxRel(b, a, vocab)).isLessThan(1e-5);
        }
    }

    @Test
    void autoRunsSparseOnlyAboveTheLengthAndBadOptionsChangeNothing() {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = load(checkpoint);
            int vocab = model.vocabSize();
            int[] tokens = randomTokens(100, vocab, 13);
            float[] logits = new float[vocab];
            float[] all = new float[tokens.length * vocab];
            PatternConfig patterns = uniform(new HeadConfig(Boundary.NONE, new AShapePattern(4, 32),
                    new AShapePattern(4, 32)), model.patternHeads());
            model.prefill(model.newContext(), tokens, PrefillOptions.auto(tokens.length).withPatterns(patterns),
                    Logits.ALL_POSITIONS, all);
            assertThat(model.lastSparseLayers()).isZero();
            model.prefill(model.newContext(), tokens, PrefillOptions.auto(tokens.length - 1).withPatterns(patterns),
                    Logits.ALL_POSITIONS, all);
            assertThat(model.lastSparseLayers()).isEqualTo(1);
            model.prefill(model.newContext(), tokens, PrefillOptions.auto(tokens.length - 1).withPatterns(patterns),
                    Logits.LAST_POSITION, logits);
            assertThat(model.lastSparseLayers()).as("the last position's logits need no pattern").isZero();
            model.prefill(model.newContext(), tokens, PrefillOptions.sparse(), Logits.ALL_POSITIONS, all);
            assertThat(model.lastSparseLayers()).isZero();
            ContextState state = model.newContext();
            model.prefill(state, tokens, logits);
            model.prefill(state, tokens, PrefillOptions.sparse().withPatterns(patterns), Logits.ALL_POSITIONS, all);
            assertThat(model.lastSparseLayers()).isZero();
            assertThat(state.position()).isEqualTo(2 * tokens.length);

            ContextState fresh = model.newContext();
            assertThatThrownBy(() -> model.prefill(fresh, tokens,
                    PrefillOptions.sparse().withSpans(ModalitySpans.video(8, 80, 11)), Logits.LAST_POSITION, logits))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spans");
            assertThatThrownBy(() -> model.prefill(fresh, tokens, PrefillOptions.sparse()
                    .withPatterns(uniform(HeadConfig.dense(), 3)), Logits.LAST_POSITION, logits))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heads");
            float[] embeddings = new float[tokens.length * model.embeddingSize()];
            assertThatThrownBy(() -> model.prefillEmbeddings(fresh, embeddings, tokens.length,
                    PrefillOptions.sparse().withPatterns(patterns).withSpans(ModalitySpans.video(1, 2, 3)), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spans");
            assertThat(fresh.position()).isZero();
            assertThat(sharedCache(model, fresh).length()).isZero();
        }
    }

    @Test
    void patternsAreReadFromTheCheckpointFolderAndChecked(@TempDir Path folder) throws IOException {
        Path source = SambaYGoldens.path("sambay_tiny");
        Files.copy(source.resolve("config.json"), folder.resolve("config.json"));
        Files.copy(source.resolve("model.safetensors"), folder.resolve("model.safetensors"));
        PatternConfig patterns = uniform(new HeadConfig(Boundary.TWO_D, new VerticalSlashPattern(8, 8),
                new AShapePattern(4, 32)), 8);
        patterns.write(folder.resolve(SambaYModel.PATTERN_FILE));
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            SambaYModel model = load(checkpoint);
            assertThat(model.patterns()).contains(patterns);
            int vocab = model.vocabSize();
            int[] tokens = randomTokens(120, vocab, 14);
            float[] logits = new float[tokens.length * vocab];
            model.prefill(model.newContext(), tokens, PrefillOptions.sparse().withSpans(ModalitySpans.video(8, 100, 12)),
                    Logits.ALL_POSITIONS, logits);
            assertThat(model.lastSparseLayers()).isEqualTo(1);
            for (float v : logits) {
                assertThat(Float.isFinite(v)).isTrue();
            }
        }
        new PatternConfig(List.of(List.of(), List.of())).write(folder.resolve(SambaYModel.PATTERN_FILE));
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            assertThatThrownBy(() -> SambaYModel.load(checkpoint, SambaYGoldens.VECTOR))
                    .isInstanceOf(ModelLoadException.class).hasMessageContaining(SambaYModel.PATTERN_FILE)
                    .hasMessageContaining("2 layers");
        }
    }

    /**
     * The full-attention layer alone on a video-like input: real patterns per query head
     * (each map of each pair its own). Each map's output equals double-precision attention
     * with its plan's masks, the shared cache is the dense layer's, and decode steps after it
     * give the dense-prefilled layer's outputs.
     */
    @Test
    void layerSparsePrefillEqualsTheDoubleReferenceWithItsMaskAndDecodeContinues() {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = load(checkpoint);
            SambaYConfig config = model.config();
            DifferentialAttention layer = (DifferentialAttention) model.layers().get(config.sharedKvLayer()).mixer();
            assertThat(layer.role()).isEqualTo(DifferentialAttention.Role.SHARED_FULL);
            int d = config.hiddenSize();
            int frame = 16;
            ModalitySpans spans = ModalitySpans.video(21, frame * 60 + 7, 25);
            int rows = spans.seqLen();
            float[] x = videoLikeStream(rows, d, 21, frame, 0x5EED);
            List<HeadConfig> four = List.of(
                    new HeadConfig(Boundary.QUERY, new DensePattern(), new GridPattern(16, 96, 2, 0.5, 2, 64)),
                    new HeadConfig(Boundary.NONE, new AShapePattern(8, 64), new AShapePattern(16, 128)),
                    new HeadConfig(Boundary.TWO_D, new VerticalSlashPattern(20, 30), new AShapePattern(16, 96)),
                    new HeadConfig(Boundary.QUERY, new AShapePattern(4, 64), new VerticalSlashPattern(8, 16)));
            List<HeadConfig> configs = new ArrayList<>();
            for (int h = 0; h < config.heads(); h++) {
                configs.add(four.get((h * 3 + h / 4) % 4));
            }

            SambaYWorkspace ws = new SambaYWorkspace(config, SambaYGoldens.VECTOR);
            ContextState sparseState = model.newContext();
            DifferentialAttention.SparsePass pass = layer.newSparsePass(rows);
            for (int start = 0; start < rows; start += BLOCK) {
                int n = Math.min(BLOCK, rows - start);
                ws.ensure(n);
                System.arraycopy(x, start * d, ws.normed, 0, n * d);
                layer.projectForSparse(n, start, sparseState, ws, pass);
            }
            layer.attendSparse(pass, model.sparseAttention(), model.tiledAttention(), spans, configs);
            float[] sparseMixed = new float[rows * d];
            for (int start = 0; start < rows; start += BLOCK) {
                int n = Math.min(BLOCK, rows - start);
                layer.outputSparse(n, start, ws, pass);
                System.arraycopy(ws.mixed, 0, sparseMixed, start * d, n * d);
            }

            int hd = pass.shape().headDim();
            double maxRowRel = 0;
            double maxAbs = 0;
            for (int half = 0; half < 2; half++) {
                List<String> labels = pass.plans()[half].heads().stream().map(HeadPlan::label).toList();
                System.out.println("map " + half + " plans: " + labels);
                for (int i = 0; i < labels.size(); i++) {
                    HeadConfig expectedConfig = configs.get(2 * i + half);
                    if (expectedConfig.equals(four.get(1))) {
                        assertThat(labels.get(i)).isEqualTo("a-shape(16,128)");
                    } else if (expectedConfig.equals(four.get(3))) {
                        assertThat(labels.get(i)).isEqualTo("T:a-shape(4,64) V:vs(8,16)");
                    }
                }
                long sparseHeads = 0;
                for (HeadPlan head : pass.plans()[half].heads()) {
                    if (head.label().contains("dense(")) {
                        continue;
                    }
                    TokenMask mask = head.mask(rows);
                    long allowed = 0;
                    long causal = 0;
                    for (int query = 0; query < rows; query += 7) {
                        for (int key = 0; key <= query; key++) {
                            causal++;
                            allowed += mask.allows(query, key) ? 1 : 0;
                        }
                    }
                    sparseHeads += allowed < causal * 9 / 10 ? 1 : 0;
                }
                assertThat(sparseHeads).as("heads that drop pairs in map %d", half).isPositive();
                List<TokenMask> masks = pass.plans()[half].heads().stream().map(h -> h.mask(rows)).toList();
                for (int part = 0; part < 2; part++) {
                    double[] expected = new double[pass.shape().queryLength()];
                    ReferenceAttention.attend(pass.q()[half], pass.k()[half], pass.v()[part], pass.shape(), masks, 0,
                            rows, expected);
                    float[] actual = pass.out()[half][part];
                    for (int row = 0; row < pass.shape().heads() * rows; row++) {
                        double err = 0;
                        double scale = 0;
                        for (int p = 0; p < hd; p++) {
                            assertThat(Float.isFinite(actual[row * hd + p])).isTrue();
                            err = Math.max(err, Math.abs(actual[row * hd + p] - expected[row * hd + p]));
                            scale = Math.max(scale, Math.abs(expected[row * hd + p]));
                        }
                        maxAbs = Math.max(maxAbs, err);
                        maxRowRel = Math.max(maxRowRel, err / scale);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "layer sparse prefill (both maps, both value halves) vs double reference "
                    + "with the plan masks (%d rows): max abs %.3e, max row-relative %.3e%n", rows, maxAbs, maxRowRel);
            assertThat(maxRowRel).isLessThan(ROW_REL_TOLERANCE);

            // The dense layer in the same blocks: same shared cache.
            ContextState denseState = model.newContext();
            for (int start = 0; start < rows; start += BLOCK) {
                int n = Math.min(BLOCK, rows - start);
                System.arraycopy(x, start * d, ws.normed, 0, n * d);
                layer.forward(n, start, denseState, ws);
            }
            assertSameCache(sharedCache(model, sparseState), sharedCache(model, denseState), "shared KV cache");

            Random random = new Random(99);
            for (int step = 0; step < 3; step++) {
                float[] token = new float[d];
                for (int i = 0; i < d; i++) {
                    token[i] = (float) random.nextGaussian();
                }
                System.arraycopy(token, 0, ws.normed, 0, d);
                layer.forward(1, rows + step, sparseState, ws);
                float[] afterSparse = java.util.Arrays.copyOf(ws.mixed, d);
                System.arraycopy(token, 0, ws.normed, 0, d);
                layer.forward(1, rows + step, denseState, ws);
                double rel = maxRel(afterSparse, ws.mixed, d);
                System.out.printf(Locale.ROOT, "layer decode step %d after sparse vs dense prefill: max rel %.3e%n",
                        step, rel);
                assertThat(rel).isLessThan(SAME);
            }
        }
    }
}
