package dev.vstream.model.sambay;

import static dev.vstream.model.sambay.SambaYGoldens.LOGITS_REL_TOLERANCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LanguageModel.Logits;
import dev.vstream.model.loader.Checkpoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tiny random phi4flash checkpoint of make_goldens.py (8 layers: Mamba, sliding-window
 * attention with window 8, the memory Mamba, the shared full attention, a GMU, a cross
 * attention; bf16 projections, fp32 A_log / D / lambdas) against the float64 PyTorch reference
 * written from the published math, on the Vector API kernels and on the scalar reference
 * kernels. "long" (27 tokens) crosses the window three times; "short" (5) stays inside it.
 */
class SambaYGoldenTest {

    @ParameterizedTest
    @CsvSource({"long, vector", "long, scalar", "short, vector", "short, scalar"})
    void fullSequenceLogitsAndHiddenStatesMatch(String sequence, String kernels) {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = SambaYModel.load(checkpoint, SambaYGoldens.kernels(kernels));
            SambaYConfig config = model.config();
            int[] tokens = SambaYGoldens.tokens(sequence);
            float[] logits = new float[tokens.length * config.vocabSize()];
            float[][] hidden = new float[config.layers() + 1][tokens.length * config.hiddenSize()];
            model.forward(model.newContext(), tokens, tokens.length, logits, hidden);
            String label = sequence + "/" + kernels + " ";
            for (int i = 0; i <= config.layers(); i++) {
                SambaYGoldens.compare(label + "hidden_states." + i, hidden[i],
                        SambaYGoldens.read(sequence + ".hidden_states." + i)).assertRelBelow(LOGITS_REL_TOLERANCE);
            }
            SambaYGoldens.compare(label + "logits", logits, SambaYGoldens.read(sequence + ".logits"))
                    .assertRelBelow(LOGITS_REL_TOLERANCE);

            float[] viaInterface = new float[logits.length];
            model.prefill(model.newContext(), tokens, Logits.ALL_POSITIONS, viaInterface);
            SambaYGoldens.compare(label + "logits via prefill(ALL_POSITIONS)", viaInterface,
                    SambaYGoldens.read(sequence + ".logits")).assertRelBelow(LOGITS_REL_TOLERANCE);
            float[] last = new float[config.vocabSize()];
            model.prefill(model.newContext(), tokens, last); // YOCO: cross-decoder on the last token only
            SambaYGoldens.compare(label + "last-position logits", last, 0, SambaYGoldens.read(sequence + ".logits"),
                    (tokens.length - 1) * config.vocabSize(), config.vocabSize()).assertRelBelow(LOGITS_REL_TOLERANCE);
        }
    }

    /** Decoding token by token from an empty context gives the golden logits at every position. */
    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void decodeStepByStepMatchesEveryPosition(String kernels) {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = SambaYModel.load(checkpoint, SambaYGoldens.kernels(kernels));
            int vocab = model.vocabSize();
            int[] tokens = SambaYGoldens.tokens("long");
            float[] golden = SambaYGoldens.read("long.logits");
            ContextState state = model.newContext();
            float[] logits = new float[vocab];
            double worst = 0;
            for (int t = 0; t < tokens.length; t++) {
                model.decodeStep(state, tokens[t], logits);
                worst = Math.max(worst, SambaYGoldens.compare("long/" + kernels + " decode position " + t, logits, 0,
                        golden, t * vocab, vocab).assertRelBelow(LOGITS_REL_TOLERANCE).maxRel());
            }
            assertThat(state.position()).isEqualTo(tokens.length);
            System.out.printf("decode %s: worst max rel error over %d positions %.3e%n", kernels, tokens.length, worst);
        }
    }

    /** A prompt prefilled in chunks (crossing the window inside a chunk) equals one prefill. */
    @ParameterizedTest
    @CsvSource({"3, 24", "11, 16", "1, 26", "20, 7"})
    void chunkedPrefillMatches(int firstChunk, int secondChunk) {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = SambaYModel.load(checkpoint, SambaYGoldens.VECTOR);
            int vocab = model.vocabSize();
            int[] tokens = SambaYGoldens.tokens("long");
            assertThat(firstChunk + secondChunk).isEqualTo(tokens.length);
            float[] golden = SambaYGoldens.read("long.logits");
            ContextState state = model.newContext();
            float[] first = new float[firstChunk * vocab];
            model.prefill(state, java.util.Arrays.copyOfRange(tokens, 0, firstChunk), Logits.ALL_POSITIONS, first);
            float[] second = new float[secondChunk * vocab];
            model.prefill(state, java.util.Arrays.copyOfRange(tokens, firstChunk, tokens.length), Logits.ALL_POSITIONS,
                    second);
            SambaYGoldens.compare("chunk 1 of " + firstChunk + "+" + secondChunk, first, 0, golden, 0, first.length)
                    .assertRelBelow(LOGITS_REL_TOLERANCE);
            SambaYGoldens.compare("chunk 2 of " + firstChunk + "+" + secondChunk, second, 0, golden, first.length,
                    second.length).assertRelBelow(LOGITS_REL_TOLERANCE);
        }
    }

    /**
     * Queries attended in chunks of 5 (the window is 8): chunk boundaries inside and across
     * the window give the golden logits, in one prefill and in two.
     */
    @ParameterizedTest
    @CsvSource({"27, 0", "13, 14"})
    void queryChunksSmallerThanTheWindowMatch(int firstChunk, int secondChunk) {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = SambaYModel.load(checkpoint, SambaYGoldens.SCALAR, 5, SambaYModel.PREFILL_BLOCK);
            int vocab = model.vocabSize();
            int[] tokens = SambaYGoldens.tokens("long");
            float[] golden = SambaYGoldens.read("long.logits");
            ContextState state = model.newContext();
            float[] logits = new float[tokens.length * vocab];
            model.prefill(state, java.util.Arrays.copyOf(tokens, firstChunk), Logits.ALL_POSITIONS, logits);
            if (secondChunk > 0) {
                float[] rest = new float[secondChunk * vocab];
                model.prefill(state, java.util.Arrays.copyOfRange(tokens, firstChunk, tokens.length), Logits.ALL_POSITIONS,
                        rest);
                System.arraycopy(rest, 0, logits, firstChunk * vocab, rest.length);
            }
            SambaYGoldens.compare("query chunks of 5, prefill " + firstChunk + "+" + secondChunk, logits, golden)
                    .assertRelBelow(LOGITS_REL_TOLERANCE);
        }
    }

    /**
     * A prompt shorter than the window, then decoding well past it: the case where the
     * reference's sliding-window cache drops a live key (notes 3b); here every step must match.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void shortPromptThenDecodePastTheWindowMatches(String kernels) {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = SambaYModel.load(checkpoint, SambaYGoldens.kernels(kernels));
            int vocab = model.vocabSize();
            int[] tokens = SambaYGoldens.tokens("long");
            float[] golden = SambaYGoldens.read("long.logits");
            int prompt = 5;
            assertThat(prompt).isLessThan(model.config().slidingWindow());
            ContextState state = model.newContext();
            float[] logits = new float[vocab];
            model.prefill(state, java.util.Arrays.copyOf(tokens, prompt), logits);
            SambaYGoldens.compare("short prompt, last position", logits, 0, golden, (prompt - 1) * vocab, vocab)
                    .assertRelBelow(LOGITS_REL_TOLERANCE);
            double worst = 0;
            for (int t = prompt; t < tokens.length; t++) {
                model.decodeStep(state, tokens[t], logits);
                worst = Math.max(worst, SambaYGoldens.compare("decode after short prompt " + kernels + ", position " + t,
                        logits, 0, golden, t * vocab, vocab).assertRelBelow(LOGITS_REL_TOLERANCE).maxRel());
            }
            System.out.printf("decode past the window after a %d-token prompt (%s): worst max rel %.3e%n", prompt, kernels,
                    worst);
        }
    }

    /**
     * Prefill in internal blocks of 4 tokens (half the window): all-position logits match, and
     * a last-position prefill (earlier blocks stop after the shared-KV layer) gives the last
     * logits and a context that decodes on exactly.
     */
    @ParameterizedTest
    @ValueSource(ints = {4, 1, 26})
    void prefillInBlocksMatches(int block) {
        try (Checkpoint checkpoint = SambaYGoldens.checkpoint()) {
            SambaYModel model = SambaYModel.load(checkpoint, SambaYGoldens.SCALAR, DifferentialAttention.QUERY_CHUNK, block);
            int vocab = model.vocabSize();
            int[] tokens = SambaYGoldens.tokens("long");
            float[] golden = SambaYGoldens.read("long.logits");
            float[] all = new float[tokens.length * vocab];
            model.prefill(model.newContext(), tokens, Logits.ALL_POSITIONS, all);
            SambaYGoldens.compare("prefill blocks of " + block + ", all positions", all, golden)
                    .assertRelBelow(LOGITS_REL_TOLERANCE);

            int prompt = 20;
            ContextState state = model.newContext();
            float[] logits = new float[vocab];
            model.prefill(state, java.util.Arrays.copyOf(tokens, prompt), logits);
            SambaYGoldens.compare("prefill blocks of " + block + ", last position", logits, 0, golden,
                    (prompt - 1) * vocab, vocab).assertRelBelow(LOGITS_REL_TOLERANCE);
            for (int t = prompt; t < tokens.length; t++) {
                model.decodeStep(state, tokens[t], logits);
                SambaYGoldens.compare("prefill blocks of " + block + ", then decode " + t, logits, 0, golden, t * vocab,
                        vocab).assertRelBelow(LOGITS_REL_TOLERANCE);
            }
        }
    }
}
