package dev.vstream.model.nemotron;

import static dev.vstream.model.nemotron.FlashGoldens.LOGITS_REL_TOLERANCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LanguageModel.Logits;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.lm.Generator;
import dev.vstream.model.lm.SamplingParams;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tiny random Nemotron-Flash of make_goldens.py (bf16 weights; 8 operators deltanet f m2 f
 * a f m2 f; 4 memory tokens; 12 prompt tokens) against the float64 PyTorch reference, with
 * the projections on the Vector API kernels and on the scalar reference kernels; then decode,
 * blocked prefill and snapshot/resume against the same goldens.
 */
class NemotronFlashGoldenTest {

    private static float[] fullLogits(NemotronFlash model, int[] ids) {
        float[] logits = new float[ids.length * model.vocabSize()];
        model.prefill(model.newContext(), ids, Logits.ALL_POSITIONS, logits);
        return logits;
    }

    /**
     * Full-sequence logits of both checkpoints: {@code flash_tiny} (kq_norm none, default RoPE)
     * and {@code flash_tiny_variant} (same weights plus q/k norms; kq_norm rms, NTK RoPE, the
     * {@code m} code), in blocks of 256, 3 and 1 positions.
     */
    @ParameterizedTest
    @CsvSource({"flash_tiny, vector, 256", "flash_tiny, scalar, 256", "flash_tiny, vector, 3", "flash_tiny, vector, 1",
            "flash_tiny_variant, vector, 256", "flash_tiny_variant, scalar, 256", "flash_tiny_variant, vector, 5"})
    void fullSequenceLogitsMatchTheReference(String name, String kernels, int blockRows) {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path(name))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.kernels(kernels), blockRows);
            int[] ids = FlashGoldens.inputIds();
            FlashGoldens.compare(name + " logits " + kernels + ", blocks of " + blockRows, fullLogits(model, ids),
                    FlashGoldens.read(name, "logits")).assertRelBelow(LOGITS_REL_TOLERANCE);
        }
    }

    /** The last-position logits of a prefill are the last row of the full ones. */
    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void lastPositionPrefillMatches(String kernels) {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path("flash_tiny"))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.kernels(kernels));
            int[] ids = FlashGoldens.inputIds();
            int vocab = model.vocabSize();
            float[] last = new float[vocab];
            ContextState state = model.newContext();
            model.prefill(state, ids, last);
            assertThat(state.position()).isEqualTo(model.config().memoryTokens() + ids.length);
            FlashGoldens.compare("last-position prefill " + kernels, last, 0, FlashGoldens.read("logits"),
                    (ids.length - 1) * vocab, vocab).assertRelBelow(LOGITS_REL_TOLERANCE);
        }
    }

    /**
     * Prefill of the first token, then one decode step per token: every step's logits match
     * the golden row of that position and the Java full-sequence row (same kernels).
     */
    @ParameterizedTest
    @CsvSource({"flash_tiny, vector", "flash_tiny, scalar", "flash_tiny_variant, vector"})
    void decodeStepByStepMatchesTheFullSequence(String name, String kernels) {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path(name))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.kernels(kernels));
            int[] ids = FlashGoldens.inputIds();
            int vocab = model.vocabSize();
            float[] golden = FlashGoldens.read(name, "logits");
            String label = name + " " + kernels;
            float[] full = fullLogits(model, ids);
            ContextState state = model.newContext();
            float[] step = new float[vocab];
            for (int t = 0; t < ids.length; t++) {
                if (t == 0) {
                    model.prefill(state, new int[] {ids[0]}, step);
                } else {
                    model.decodeStep(state, ids[t], step);
                }
                FlashGoldens.compare("decode " + label + " position " + t, step, 0, golden, t * vocab, vocab)
                        .assertRelBelow(LOGITS_REL_TOLERANCE);
                FlashGoldens.compare("decode vs Java prefill " + label + " position " + t, step, 0, full, t * vocab,
                        vocab).assertRelBelow(LOGITS_REL_TOLERANCE / 10);
            }
            assertThat(state.position()).isEqualTo(model.config().memoryTokens() + ids.length);
        }
    }

    /** A prompt prefilled in two calls (the QA case: context, then question) equals one call. */
    @ParameterizedTest
    @ValueSource(ints = {1, 5, 11})
    void prefillOnANonEmptyContextContinuesTheSequence(int split) {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path("flash_tiny"))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.VECTOR);
            int[] ids = FlashGoldens.inputIds();
            int vocab = model.vocabSize();
            ContextState state = model.newContext();
            float[] first = new float[split * vocab];
            float[] second = new float[(ids.length - split) * vocab];
            model.prefill(state, Arrays.copyOf(ids, split), Logits.ALL_POSITIONS, first);
            model.prefill(state, Arrays.copyOfRange(ids, split, ids.length), Logits.ALL_POSITIONS, second);
            float[] golden = FlashGoldens.read("logits");
            FlashGoldens.compare("prefill [0, " + split + ")", first, 0, golden, 0, first.length)
                    .assertRelBelow(LOGITS_REL_TOLERANCE);
            FlashGoldens.compare("prefill [" + split + ", " + ids.length + ") after", second, 0, golden, split * vocab,
                    second.length).assertRelBelow(LOGITS_REL_TOLERANCE);
        }
    }

    /**
     * A snapshot taken mid-prompt resumes, twice, into contexts that continue like the
     * original. On the scalar kernels the continuation is bit-identical; the Vector API
     * kernels may round differently before and after the JIT compiles them (their lane
     * reductions differ between the interpreter and C2), so there the bound is 1e-6.
     */
    @ParameterizedTest
    @CsvSource({"scalar, 1", "scalar, 7", "vector, 1", "vector, 7"})
    void snapshotResumesIdentically(String kernels, int split) {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path("flash_tiny"))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.kernels(kernels));
            int[] ids = FlashGoldens.inputIds();
            int vocab = model.vocabSize();
            ContextState original = model.newContext();
            float[] logits = new float[vocab];
            model.prefill(original, Arrays.copyOf(ids, split), logits);
            ContextState.Snapshot snapshot = original.snapshot();
            assertThat(snapshot.sizeInBytes()).isEqualTo(original.sizeInBytes());
            float[][] expected = continueWith(model, original, ids, split);
            for (int copy = 0; copy < 2; copy++) {
                ContextState resumed = snapshot.resume();
                assertThat(resumed.position()).isEqualTo(model.config().memoryTokens() + split);
                float[][] actual = continueWith(model, resumed, ids, split);
                for (int t = 0; t < actual.length; t++) {
                    String label = kernels + " resumed copy " + copy + ", position " + (split + t);
                    if (kernels.equals("scalar")) {
                        assertThat(actual[t]).as(label).isEqualTo(expected[t]);
                    } else {
                        FlashGoldens.compare(label, actual[t], expected[t]).assertRelBelow(1e-6);
                    }
                }
            }
            FlashGoldens.compare(kernels + " resumed at " + split + ", last position", expected[expected.length - 1], 0,
                    FlashGoldens.read("logits"), (ids.length - 1) * vocab, vocab).assertRelBelow(LOGITS_REL_TOLERANCE);
        }
    }

    private static float[][] continueWith(NemotronFlash model, ContextState state, int[] ids, int from) {
        float[][] out = new float[ids.length - from][model.vocabSize()];
        for (int t = from; t < ids.length; t++) {
            model.decodeStep(state, ids[t], out[t - from]);
        }
        return out;
    }

    /** Contexts of one model are independent of the instance that made them. */
    @ParameterizedTest
    @ValueSource(strings = {"vector"})
    void aContextContinuesOnAnotherInstanceOfTheSameModel(String kernels) {
        CpuKernels k = FlashGoldens.kernels(kernels);
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path("flash_tiny"))) {
            NemotronFlash first = NemotronFlash.load(checkpoint, k);
            NemotronFlash second = NemotronFlash.load(checkpoint, k);
            int[] ids = FlashGoldens.inputIds();
            int vocab = first.vocabSize();
            ContextState state = first.newContext();
            float[] logits = new float[vocab];
            first.prefill(state, Arrays.copyOf(ids, 6), logits);
            second.prefill(state, Arrays.copyOfRange(ids, 6, ids.length), logits);
            FlashGoldens.compare("continued on a second instance", logits, 0, FlashGoldens.read("logits"),
                    (ids.length - 1) * vocab, vocab).assertRelBelow(LOGITS_REL_TOLERANCE);
        }
    }

    /**
     * The lm framework's generation loop on this model: greedy tokens equal the arg-max of a
     * fresh full-sequence prefill of the prompt plus the tokens so far (scalar kernels, on
     * which decode and prefill agree bit for bit, so no near-tie can flip).
     */
    @Test
    void greedyGenerationMatchesFullRecomputation() {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path("flash_tiny"))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.SCALAR);
            int[] prompt = Arrays.copyOf(FlashGoldens.inputIds(), 5);
            int[] generated = new Generator(model).generate(model.newContext(), prompt,
                    SamplingParams.greedy(8, Set.of()), (token, index) -> { }).tokens();
            assertThat(generated).hasSize(8);
            float[] last = new float[model.vocabSize()];
            for (int i = 0; i < generated.length; i++) {
                int[] sequence = Arrays.copyOf(prompt, prompt.length + i);
                System.arraycopy(generated, 0, sequence, prompt.length, i);
                model.prefill(model.newContext(), sequence, last);
                assertThat(generated[i]).as("generated token %d", i).isEqualTo(argmax(last));
            }
        }
    }

    /** The operators' declared slot counts match the caches they make, and the context holds them all. */
    @Test
    void contextSlotsMatchTheOperators() {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path("flash_tiny"))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.VECTOR);
            ContextState state = model.newContext();
            // deltanet: 3 convs + delta state; m2: conv + ssm (x2); a: kv cache; f: none
            assertThat(state.slots()).isEqualTo(4 + 2 + 1 + 2);
            assertThat(state.layout()).isEqualTo(model.config().layout());
        }
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int v = 1; v < logits.length; v++) {
            if (logits[v] > logits[best]) {
                best = v;
            }
        }
        return best;
    }
}
