package dev.vstream.model.lm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    /** A counter model: the next token is always (last token + 1) mod vocab. */
    private static final class CountingModel implements LanguageModel {
        int decodeSteps;

        @Override
        public int vocabSize() {
            return 10;
        }

        @Override
        public ContextState newContext() {
            return new ContextState("counting", List.of());
        }

        @Override
        public void prefill(ContextState state, int[] tokens, Logits which, float[] logitsOut) {
            java.util.Arrays.fill(logitsOut, 0, vocabSize(), 0f);
            logitsOut[(tokens[tokens.length - 1] + 1) % vocabSize()] = 5f;
            state.advance(tokens.length);
        }

        @Override
        public void decodeStep(ContextState state, int token, float[] logitsOut) {
            decodeSteps++;
            prefill(state, new int[] {token}, logitsOut);
        }
    }

    @Test
    void streamsEveryTokenAndStopsAtTheLimit() {
        CountingModel model = new CountingModel();
        ContextState state = model.newContext();
        List<Integer> streamed = new ArrayList<>();
        Generator.Result result = new Generator(model).generate(state, new int[] {1, 2}, SamplingParams.greedy(4, Set.of()),
                (token, index) -> streamed.add(token));
        assertThat(result.tokens()).containsExactly(3, 4, 5, 6);
        assertThat(result.reason()).isEqualTo(Generator.StopReason.MAX_TOKENS);
        assertThat(streamed).containsExactly(3, 4, 5, 6);
        // The prompt and every generated token but the last were fed.
        assertThat(state.position()).isEqualTo(2 + 3);
        assertThat(model.decodeSteps).isEqualTo(3);
    }

    @Test
    void aStopTokenEndsGenerationAndIsNotEmitted() {
        CountingModel model = new CountingModel();
        List<Integer> streamed = new ArrayList<>();
        Generator.Result result = new Generator(model).generate(model.newContext(), new int[] {7},
                SamplingParams.greedy(100, Set.of(0)), (token, index) -> streamed.add(token));
        assertThat(result.tokens()).containsExactly(8, 9);
        assertThat(result.reason()).isEqualTo(Generator.StopReason.STOP_TOKEN);
        assertThat(streamed).containsExactly(8, 9);
    }
}
