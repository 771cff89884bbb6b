package dev.vstream.model.nemotron;

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
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sparse prefill of Nemotron-Flash's attention operators (MMInference integration): dense
 * patterns give the dense prefill; a pattern that covers everything runs the sparse kernel
 * and matches the dense prefill within rounding; real sparse patterns on a video-like input
 * give, at the layer, exactly the attention the plan's mask defines (double reference), each
 * head the pattern its config names, and a KV cache from which decode continues as after a
 * dense prefill.
 */
class NemotronFlashSparsePrefillTest {

    /** The tiny checkpoint's a operator: operator 4 of deltanet f m2 f a f m2 f. */
    private static final int ATTENTION_OPERATOR = 4;
    /** Per output row: max |err| over the row / max |expected| over the row (the kernels' criterion). */
    private static final double ROW_REL_TOLERANCE = 1e-4;

    private static KvCache attentionCache(NemotronFlash model, ContextState state) {
        return state.cache(model.firstSlot(ATTENTION_OPERATOR), KvCache.class);
    }

    @Test
    void densePatternsGiveTheDensePrefill() {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path(FlashGoldens.TINY))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.VECTOR, 64);
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
            assertThat(maxRel(sparse, dense, dense.length)).isLessThan(SAME);
            assertThat(sparseState.position()).isEqualTo(denseState.position());
            float[] a = new float[vocab];
            float[] b = new float[vocab];
            model.decodeStep(denseState, 7, a);
            model.decodeStep(sparseState, 7, b);
            assertThat(maxRel(b, a, vocab)).isLessThan(SAME);
        }
    }

    /**
     * An A-shape whose window holds the whole sequence attends exactly the dense keys, but
     * through the sparse kernel (operator-major order, sequence-wide q/k/v, tiled online
     * softmax): logits within rounding of the dense prefill, the attention layer's KV cache
     * bit-identical, decode after it within rounding.
     */
    @Test
    void aPatternCoveringEverythingRunsTheKernelAndMatchesTheDensePrefill() {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path(FlashGoldens.TINY))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.VECTOR, 64);
            int vocab = model.vocabSize();
            int[] tokens = randomTokens(301, vocab, 12);
            float[] dense = new float[tokens.length * vocab];
            float[] sparse = new float[tokens.length * vocab];
            ContextState denseState = model.newContext();
            model.prefill(denseState, tokens, Logits.ALL_POSITIONS, dense);
            ContextState sparseState = model.newContext();
            HeadConfig everything = new HeadConfig(Boundary.QUERY, new AShapePattern(0, 1 << 20),
                    new AShapePattern(0, 1 << 20));
            PrefillOptions options = PrefillOptions.sparse().withSpans(ModalitySpans.video(17, 250, 34))
                    .withPatterns(uniform(everything, model.patternHeads()));
            model.prefill(sparseState, tokens, options, Logits.ALL_POSITIONS, sparse);
            assertThat(model.lastSparseLayers()).isEqualTo(1);
            assertThat(sparseState.position()).isEqualTo(model.config().memoryTokens() + tokens.length)
                    .isEqualTo(denseState.position());
            double rel = maxRel(sparse, dense, dense.length);
            System.out.printf(Locale.ROOT, "sparse kernel (full a-shape) vs dense prefill: logits max rel %.3e%n", rel);
            assertThat(rel).isLessThan(1e-5);
            assertSameCache(attentionCache(model, sparseState), attentionCache(model, denseState), "KV cache");
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
    }

    @Test
    void autoRunsSparseOnlyAboveTheLength() {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path(FlashGoldens.TINY))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.VECTOR, 64);
            int vocab = model.vocabSize();
            int[] tokens = randomTokens(100, vocab, 13);
            float[] logits = new float[vocab];
            PatternConfig patterns = uniform(new HeadConfig(Boundary.NONE, new AShapePattern(4, 32),
                    new AShapePattern(4, 32)), model.patternHeads());
            int context = model.config().memoryTokens() + tokens.length;
            model.prefill(model.newContext(), tokens, PrefillOptions.auto(context).withPatterns(patterns),
                    Logits.LAST_POSITION, logits);
            assertThat(model.lastSparseLayers()).isZero();
            model.prefill(model.newContext(), tokens, PrefillOptions.auto(context - 1).withPatterns(patterns),
                    Logits.LAST_POSITION, logits);
            assertThat(model.lastSparseLayers()).isEqualTo(1);
            // No patterns anywhere: dense whatever the mode.
            model.prefill(model.newContext(), tokens, PrefillOptions.sparse(), Logits.LAST_POSITION, logits);
            assertThat(model.lastSparseLayers()).isZero();
            // A continuation of a non-empty context is dense.
            ContextState state = model.newContext();
            model.prefill(state, tokens, logits);
            model.prefill(state, tokens, PrefillOptions.sparse().withPatterns(patterns), Logits.LAST_POSITION, logits);
            assertThat(model.lastSparseLayers()).isZero();
            assertThat(state.position()).isEqualTo(context + tokens.length);
        }
    }

    @Test
    void patternsAreReadFromTheCheckpointFolderAndChecked(@TempDir Path folder) throws IOException {
        Path source = FlashGoldens.path(FlashGoldens.TINY);
        Files.copy(source.resolve("config.json"), folder.resolve("config.json"));
        Files.copy(source.resolve("model.safetensors"), folder.resolve("model.safetensors"));
        PatternConfig patterns = uniform(new HeadConfig(Boundary.TWO_D, new VerticalSlashPattern(8, 8),
                new AShapePattern(4, 32)), 4);
        patterns.write(folder.resolve(NemotronFlash.PATTERN_FILE));
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.VECTOR, 64);
            assertThat(model.patterns()).contains(patterns);
            assertThat(model.patternLayers()).isEqualTo(1);
            int vocab = model.vocabSize();
            int[] tokens = randomTokens(120, vocab, 14);
            float[] logits = new float[vocab];
            ContextState state = model.newContext();
            model.prefill(state, tokens, PrefillOptions.sparse().withSpans(ModalitySpans.video(8, 100, 12)),
                    Logits.LAST_POSITION, logits);
            assertThat(model.lastSparseLayers()).isEqualTo(1);
            for (float v : logits) {
                assertThat(Float.isFinite(v)).isTrue();
            }
            // Spans that do not cover the prompt, patterns of another layout: refused, nothing changed.
            ContextState fresh = model.newContext();
            assertThatThrownBy(() -> model.prefill(fresh, tokens,
                    PrefillOptions.sparse().withSpans(ModalitySpans.video(8, 100, 11)), Logits.LAST_POSITION, logits))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spans");
            assertThatThrownBy(() -> model.prefill(fresh, tokens, PrefillOptions.sparse()
                    .withPatterns(uniform(HeadConfig.dense(), 3)), Logits.LAST_POSITION, logits))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heads");
            assertThat(fresh.position()).isZero();
        }
        new PatternConfig(List.of(List.of(), List.of())).write(folder.resolve(NemotronFlash.PATTERN_FILE));
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            assertThatThrownBy(() -> NemotronFlash.load(checkpoint, FlashGoldens.VECTOR))
                    .isInstanceOf(ModelLoadException.class).hasMessageContaining(NemotronFlash.PATTERN_FILE)
                    .hasMessageContaining("2 layers");
        }
        Files.writeString(folder.resolve(NemotronFlash.PATTERN_FILE), "{\"layers\": [");
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            assertThatThrownBy(() -> NemotronFlash.load(checkpoint, FlashGoldens.VECTOR))
                    .isInstanceOf(ModelLoadException.class).hasMessageContaining(NemotronFlash.PATTERN_FILE);
        }
    }

    /**
     * The attention layer alone on a video-like residual stream (a text prefix, frames of
     * repeating patch rows plus noise, a question): real grid, A-shape and vertical-slash
     * heads under each boundary mode. The sparse output equals double-precision attention with
     * each head's plan mask (row-relative error), each head ran the pattern its config names,
     * the cache equals the dense layer's bit for bit, and decode steps after it give exactly
     * the dense-prefilled layer's outputs.
     */
    @Test
    void layerSparsePrefillEqualsTheDoubleReferenceWithItsMaskAndDecodeContinues() {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path(FlashGoldens.TINY))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.VECTOR, 64);
            GroupedQueryAttention layer = (GroupedQueryAttention) model.operators().get(ATTENTION_OPERATOR);
            int hidden = model.config().hiddenSize();
            int frame = 16;
            ModalitySpans spans = ModalitySpans.video(21, frame * 160 + 7, 25);
            int rows = spans.seqLen();
            float[] x = videoLikeStream(rows, hidden, 21, frame, 0x5EED);
            List<HeadConfig> configs = List.of(
                    new HeadConfig(Boundary.QUERY, new DensePattern(), new GridPattern(16, 96, 2, 0.5, 2, 64)),
                    new HeadConfig(Boundary.NONE, new AShapePattern(8, 64), new AShapePattern(16, 128)),
                    new HeadConfig(Boundary.TWO_D, new VerticalSlashPattern(20, 30), new AShapePattern(16, 96)),
                    new HeadConfig(Boundary.QUERY, new AShapePattern(4, 64), new VerticalSlashPattern(8, 16)));
            assertThat(configs).hasSize(layer.heads());

            ContextState sparseState = model.newContext();
            float[] sparseX = x.clone();
            GroupedQueryAttention.SparseTrace trace = layer.forwardSparse(sparseX, rows, sparseState,
                    model.firstSlot(ATTENTION_OPERATOR), model.scratch(), model.sparseAttention(), spans, configs, 64);

            // Each head ran the pattern its config names, per modality.
            List<String> labels = trace.plan().heads().stream().map(HeadPlan::label).toList();
            System.out.println("layer sparse plans: " + labels);
            assertThat(labels.get(0)).startsWith("T:dense V:").satisfiesAnyOf(
                    l -> assertThat(l).contains("V:grid(s="), l -> assertThat(l).contains("V:dense(grid"));
            assertThat(labels.get(1)).isEqualTo("a-shape(16,128)");
            assertThat(labels.get(2)).isEqualTo("T:vs(20,30) V:a-shape(16,96) V2T:dense");
            assertThat(labels.get(3)).isEqualTo("T:a-shape(4,64) V:vs(8,16)");
            // The non-dense heads really drop pairs (sampled rows).
            for (HeadPlan head : trace.plan().heads()) {
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
                System.out.printf(Locale.ROOT, "  %s: %.3f of causal pairs%n", head.label(), allowed / (double) causal);
                assertThat(allowed).as(head.label()).isLessThan(causal * 9 / 10);
            }

            // The attention equals the double reference with each head's mask.
            List<TokenMask> masks = trace.plan().heads().stream().map(h -> h.mask(rows)).toList();
            double[] expected = new double[trace.shape().queryLength()];
            ReferenceAttention.attend(trace.q(), trace.k(), trace.v(), trace.shape(), masks, 0, rows, expected);
            int d = trace.shape().headDim();
            double maxAbs = 0;
            double maxRowRel = 0;
            for (int row = 0; row < trace.shape().heads() * rows; row++) {
                double err = 0;
                double scale = 0;
                for (int p = 0; p < d; p++) {
                    float actual = trace.out()[row * d + p];
                    assertThat(Float.isFinite(actual)).isTrue();
                    err = Math.max(err, Math.abs(actual - expected[row * d + p]));
                    scale = Math.max(scale, Math.abs(expected[row * d + p]));
                }
                maxAbs = Math.max(maxAbs, err);
                maxRowRel = Math.max(maxRowRel, err / scale);
            }
            System.out.printf(Locale.ROOT, "layer sparse prefill vs double reference with the plan masks (%d rows): "
                    + "max abs %.3e, max row-relative %.3e%n", rows, maxAbs, maxRowRel);
            assertThat(maxRowRel).isLessThan(ROW_REL_TOLERANCE);

            // The same layer, dense, in the same chunks: the cache is bit-identical.
            ContextState denseState = model.newContext();
            float[] denseX = x.clone();
            Scratch scratch = new Scratch();
            float[] block = new float[64 * hidden];
            for (int start = 0; start < rows; start += 64) {
                int n = Math.min(64, rows - start);
                System.arraycopy(denseX, start * hidden, block, 0, n * hidden);
                layer.forward(block, n, start, denseState, model.firstSlot(ATTENTION_OPERATOR), scratch);
                System.arraycopy(block, 0, denseX, start * hidden, n * hidden);
            }
            KvCache sparseCache = sparseState.cache(model.firstSlot(ATTENTION_OPERATOR), KvCache.class);
            KvCache denseCache = denseState.cache(model.firstSlot(ATTENTION_OPERATOR), KvCache.class);
            assertSameCache(sparseCache, denseCache, "KV cache");
            // The kernel's k and v are the ones this call cached.
            int kvDim = layer.kvHeads() * d;
            for (int t = 0; t < rows; t += 97) {
                for (int g = 0; g < layer.kvHeads(); g++) {
                    for (int p = 0; p < d; p++) {
                        assertThat(trace.k()[(g * rows + t) * d + p])
                                .isEqualTo(sparseCache.keys()[t * kvDim + g * d + p]);
                        assertThat(trace.v()[(g * rows + t) * d + p])
                                .isEqualTo(sparseCache.values()[t * kvDim + g * d + p]);
                    }
                }
            }

            // Decode continues from the sparse-prefilled cache as from the dense one.
            Random random = new Random(99);
            for (int step = 0; step < 3; step++) {
                float[] token = new float[hidden];
                for (int i = 0; i < hidden; i++) {
                    token[i] = (float) random.nextGaussian();
                }
                float[] afterSparse = token.clone();
                float[] afterDense = token.clone();
                layer.forward(afterSparse, 1, rows + step, sparseState, model.firstSlot(ATTENTION_OPERATOR), scratch);
                layer.forward(afterDense, 1, rows + step, denseState, model.firstSlot(ATTENTION_OPERATOR), scratch);
                double rel = maxRel(afterSparse, afterDense, hidden);
                System.out.printf(Locale.ROOT, "layer decode step %d after sparse vs dense prefill: max rel %.3e%n", step,
                        rel);
                assertThat(rel).isLessThan(SAME);
            }
        }
    }
}
