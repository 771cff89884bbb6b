package dev.vstream.model.sambay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.model.lm.ContextState;
import dev.vstream.model.loader.Checkpoint;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Input embeddings in place of token ids: the rows of the token embedding give the token prefill exactly. */
class SambaYEmbeddingPrefillTest {

    @Test
    void embeddingsOfTokensPrefillLikeTheTokens() {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            // Blocks of 4 rows, so a prompt of several blocks is covered too.
            SambaYModel model = SambaYModel.load(checkpoint, SambaYGoldens.SCALAR, DifferentialAttention.QUERY_CHUNK, 4);
            int vocab = model.vocabSize();
            int d = model.embeddingSize();
            int[] tokens = SambaYGoldens.tokens("long");
            int split = 11;
            float[] expected = new float[vocab];
            ContextState byTokens = model.newContext();
            model.prefill(byTokens, tokens, expected);

            float[] rows = new float[split * d];
            for (int t = 0; t < split; t++) {
                model.embed(tokens[t], rows, t * d);
            }
            ContextState mixed = model.newContext();
            model.prefillEmbeddings(mixed, rows, split, null);
            assertThat(mixed.position()).isEqualTo(split);
            float[] actual = new float[vocab];
            model.prefill(mixed, Arrays.copyOfRange(tokens, split, tokens.length), actual);
            assertThat(actual).containsExactly(expected);

            ContextState allEmbedded = model.newContext();
            float[] everyRow = new float[tokens.length * d];
            for (int t = 0; t < tokens.length; t++) {
                model.embed(tokens[t], everyRow, t * d);
            }
            float[] last = new float[vocab];
            model.prefillEmbeddings(allEmbedded, everyRow, tokens.length, last);
            assertThat(last).containsExactly(expected);
        }
    }

    @Test
    void rejectsBadInput() {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = SambaYModel.load(checkpoint, SambaYGoldens.SCALAR);
            int d = model.embeddingSize();
            ContextState state = model.newContext();
            assertThatThrownBy(() -> model.prefillEmbeddings(state, new float[d], 0, null))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> model.prefillEmbeddings(state, new float[d], 2, null))
                    .hasMessageContaining("needed");
            float[] nan = new float[d];
            nan[3] = Float.NaN;
            assertThatThrownBy(() -> model.prefillEmbeddings(state, nan, 1, null)).hasMessageContaining("non-finite");
            assertThatThrownBy(() -> model.embed(-1, new float[d], 0)).hasMessageContaining("outside");
            assertThat(state.position()).isZero();
        }
    }
}
