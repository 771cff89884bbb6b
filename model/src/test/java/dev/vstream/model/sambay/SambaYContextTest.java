package dev.vstream.model.sambay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.Generator;
import dev.vstream.model.lm.SamplingParams;
import dev.vstream.model.loader.Checkpoint;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Snapshots, resumption, generation and argument checks on the tiny checkpoint. Bit-exact
 * comparisons run on the scalar kernels: plain Java arithmetic is reproducible, while the
 * Vector API kernels may round lane reductions differently once the JIT compiles them.
 */
class SambaYContextTest {

    @Test
    void resumedSnapshotsContinueIdentically() {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = SambaYModel.load(checkpoint, SambaYGoldens.SCALAR);
            int vocab = model.vocabSize();
            int[] tokens = SambaYGoldens.tokens("long");
            int split = 10;
            ContextState original = model.newContext();
            float[] logits = new float[vocab];
            model.prefill(original, Arrays.copyOf(tokens, split), logits);
            ContextState.Snapshot snapshot = original.snapshot();
            assertThat(snapshot.position()).isEqualTo(split);
            assertThat(snapshot.sizeInBytes()).isEqualTo(original.sizeInBytes()).isPositive();

            float[][] fromOriginal = continueWith(model, original, tokens, split);
            float[][] fromFirst = continueWith(model, snapshot.resume(), tokens, split);
            float[][] fromSecond = continueWith(model, snapshot.resume(), tokens, split);
            for (int t = 0; t < fromOriginal.length; t++) {
                assertThat(fromFirst[t]).as("position %d", split + t).containsExactly(fromOriginal[t]);
                assertThat(fromSecond[t]).as("position %d", split + t).containsExactly(fromOriginal[t]);
            }
            assertThat(snapshot.position()).isEqualTo(split);
            // A resumed context can also prefill the rest in one go (the QA path).
            ContextState question = snapshot.resume();
            float[] all = new float[(tokens.length - split) * vocab];
            model.prefill(question, Arrays.copyOfRange(tokens, split, tokens.length),
                    dev.vstream.model.lm.LanguageModel.Logits.ALL_POSITIONS, all);
            SambaYGoldens.compare("resumed prefill", all, 0, SambaYGoldens.read("long.logits"), split * vocab, all.length)
                    .assertRelBelow(SambaYGoldens.LOGITS_REL_TOLERANCE);
        }
    }

    private static float[][] continueWith(SambaYModel model, ContextState state, int[] tokens, int from) {
        float[][] out = new float[tokens.length - from][model.vocabSize()];
        for (int t = from; t < tokens.length; t++) {
            model.decodeStep(state, tokens[t], out[t - from]);
        }
        return out;
    }

    @Test
    void contextSizeFollowsTheCaches() {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = SambaYModel.load(checkpoint, SambaYGoldens.VECTOR);
            SambaYConfig c = model.config();
            ContextState state = model.newContext();
            // 3 Mamba layers (conv + ssm), 2 sliding-window rings, the shared KV cache (empty).
            long fixed = 3L * (c.convWidth() + c.stateSize()) * c.innerSize() * 4
                    + 2L * 2 * c.slidingWindow() * c.kvDim() * 4;
            assertThat(state.slots()).isEqualTo(3 * 2 + 2 + 1);
            assertThat(state.sizeInBytes()).isEqualTo(fixed);
            model.prefill(state, SambaYGoldens.tokens("long"), new float[c.vocabSize()]);
            assertThat(state.sizeInBytes()).isGreaterThanOrEqualTo(fixed + 27L * 2 * c.kvDim() * 4);
            assertThat(state.snapshot().sizeInBytes()).isEqualTo(fixed + 27L * 2 * c.kvDim() * 4);
        }
    }

    @Test
    void greedyGenerationFollowsTheArgMaxOfDecodeSteps() {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = SambaYModel.load(checkpoint, SambaYGoldens.SCALAR);
            int[] prompt = SambaYGoldens.tokens("short");
            Generator.Result result = new Generator(model).generate(model.newContext(), prompt,
                    SamplingParams.greedy(12, Set.of()), (token, index) -> { });
            assertThat(result.tokens()).hasSize(12);
            ContextState state = model.newContext();
            float[] logits = new float[model.vocabSize()];
            model.prefill(state, prompt, logits);
            for (int token : result.tokens()) {
                assertThat(token).isEqualTo(dev.vstream.model.lm.Sampler.argMax(logits, model.vocabSize()));
                model.decodeStep(state, token, logits);
            }
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingChanges() {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = SambaYModel.load(checkpoint, SambaYGoldens.VECTOR);
            ContextState state = model.newContext();
            float[] logits = new float[model.vocabSize()];
            assertThatThrownBy(() -> model.prefill(state, new int[0], logits)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> model.decodeStep(state, model.vocabSize(), logits))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
            assertThatThrownBy(() -> model.prefill(state, new int[] {3, 4}, dev.vstream.model.lm.LanguageModel.Logits.ALL_POSITIONS,
                    logits)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logits output");
            ContextState foreign = new ContextState("other model", java.util.List.of());
            assertThatThrownBy(() -> model.decodeStep(foreign, 3, logits)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("layout");
            assertThat(state.position()).isZero();
        }
    }
}
