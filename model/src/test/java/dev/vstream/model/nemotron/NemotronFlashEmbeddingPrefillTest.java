package dev.vstream.model.nemotron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.sparse.AShapePattern;
import dev.vstream.kernels.sparse.Boundary;
import dev.vstream.kernels.sparse.HeadConfig;
import dev.vstream.kernels.sparse.ModalitySpans;
import dev.vstream.kernels.sparse.PatternConfig;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.PrefillOptions;
import dev.vstream.model.loader.Checkpoint;
import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/**
 * Input embeddings in place of token ids (how a video memory enters the model): the rows of the token embedding
 * give the token prefill exactly, memory tokens prepended on a fresh context either way, in one block or many, and
 * with or without logits; the options prefill of embeddings agrees with the options prefill of the tokens.
 */
class NemotronFlashEmbeddingPrefillTest {

    private static float[] rows(NemotronFlash model, int[] tokens) {
        int d = model.embeddingSize();
        float[] rows = new float[tokens.length * d];
        for (int t = 0; t < tokens.length; t++) {
            model.embed(tokens[t], rows, t * d);
        }
        return rows;
    }

    @Test
    void embeddingsOfTokensPrefillLikeTheTokens() {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path(FlashGoldens.TINY))) {
            // Blocks of 4 rows: memory tokens and the prompt span several blocks.
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.SCALAR, 4);
            int vocab = model.vocabSize();
            int[] tokens = new int[19];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = (i * 37 + 5) % vocab;
            }
            float[] expected = new float[vocab];
            ContextState byTokens = model.newContext();
            model.prefill(byTokens, tokens, expected);

            int split = 11;
            ContextState mixed = model.newContext();
            model.prefillEmbeddings(mixed, rows(model, Arrays.copyOf(tokens, split)), split, null);
            assertThat(mixed.position()).isEqualTo(model.config().memoryTokens() + split);
            float[] actual = new float[vocab];
            model.prefill(mixed, Arrays.copyOfRange(tokens, split, tokens.length), actual);
            assertThat(actual).containsExactly(expected);

            float[] last = new float[vocab];
            ContextState embedded = model.newContext();
            model.prefillEmbeddings(embedded, rows(model, tokens), tokens.length, last);
            assertThat(last).containsExactly(expected);
            assertThat(embedded.position()).isEqualTo(byTokens.position());
        }
    }

    @Test
    void optionsPrefillOfEmbeddingsEqualsThatOfTheTokens() {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path(FlashGoldens.TINY))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.SCALAR, 8);
            int vocab = model.vocabSize();
            int[] tokens = new int[40];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = (i * 11 + 3) % vocab;
            }
            // An A-shape that covers every pair: the sparse kernel runs, over the same inputs either way.
            HeadConfig everything = new HeadConfig(Boundary.QUERY, new AShapePattern(0, 1 << 20),
                    new AShapePattern(0, 1 << 20));
            PatternConfig patterns = new PatternConfig(Collections.nCopies(model.patternLayers(),
                    Collections.nCopies(model.patternHeads(), everything)));
            PrefillOptions options = PrefillOptions.sparse().withPatterns(patterns)
                    .withSpans(ModalitySpans.video(4, 30, 6));
            float[] byTokens = new float[vocab];
            model.prefill(model.newContext(), tokens, options, NemotronFlash.Logits.LAST_POSITION, byTokens);
            float[] byRows = new float[vocab];
            ContextState state = model.newContext();
            model.prefillEmbeddings(state, rows(model, tokens), tokens.length, options, byRows);
            assertThat(byRows).containsExactly(byTokens);
            assertThat(model.lastSparseLayers()).isEqualTo(model.patternLayers());
            // Block work relative to the dense sweep: one block here, computed by each boundary pass.
            assertThat(model.lastSparseDensity()).isPositive();
            float[] dense = new float[vocab];
            model.prefill(model.newContext(), tokens, dense);
            for (int v = 0; v < vocab; v++) {
                assertThat((double) byRows[v]).isCloseTo(dense[v], org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    void rejectsBadInputAndChangesNothing() {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path(FlashGoldens.TINY))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.SCALAR);
            int d = model.embeddingSize();
            ContextState state = model.newContext();
            assertThatThrownBy(() -> model.prefillEmbeddings(state, new float[d], 0, null))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> model.prefillEmbeddings(state, new float[d], 2, null))
                    .hasMessageContaining("need");
            float[] nan = new float[d];
            nan[3] = Float.NaN;
            assertThatThrownBy(() -> model.prefillEmbeddings(state, nan, 1, null)).hasMessageContaining("non-finite");
            assertThatThrownBy(() -> model.embed(model.vocabSize(), new float[d], 0)).hasMessageContaining("outside");
            assertThatThrownBy(() -> model.prefillEmbeddings(state, new float[d], 1, PrefillOptions.sparse()
                    .withSpans(ModalitySpans.video(0, 2, 0)), null)).hasMessageContaining("spans");
            assertThat(state.position()).isZero();
        }
    }
}
