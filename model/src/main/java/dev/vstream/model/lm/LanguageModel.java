package dev.vstream.model.lm;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A causal language model that runs a prompt in one pass (prefill) and then one token at a
 * time (decode), carrying everything it needs between calls in a {@link ContextState}.
 *
 * <p>Contract shared by every implementation:
 * <ul>
 *   <li>{@code prefill} may be called on a fresh context or on one that already holds tokens
 *       (the memory service prefills the visual context, the QA service then prefills only the
 *       question on a resumed copy); the result is the same as prefilling the concatenation.</li>
 *   <li>{@code decodeStep(t)} equals {@code prefill(new int[] {t})} up to rounding; both
 *       advance {@link ContextState#position()}.</li>
 *   <li>Logits are fp32, unnormalised, {@link #vocabSize()} per position.</li>
 *   <li>An instance owns scratch buffers and its kernels: one instance serves one inference
 *       loop, calls are not thread-safe. Contexts are independent of each other and of the
 *       instance that made them, as long as it is the same model.</li>
 * </ul>
 */
public interface LanguageModel {

    /** Which positions of a prefill produce logits. */
    enum Logits {
        /** Only the last position: {@code logitsOut} is {@code (vocab)}; what serving needs. */
        LAST_POSITION,
        /** Every prompt position: {@code logitsOut} is {@code (tokens, vocab)}; for tests. */
        ALL_POSITIONS
    }

    /** Rows of the embedding and of the output head. */
    int vocabSize();

    /** An empty context at position 0 with this model's layer caches, sized lazily. */
    ContextState newContext();

    /**
     * Runs {@code tokens} through the model, appending them to {@code state}.
     *
     * @param tokens    at least one token id in {@code [0, vocabSize)}
     * @param which     positions whose logits are written
     * @param logitsOut {@code (vocab)} or {@code (tokens.length, vocab)}, see {@link Logits}
     * @throws IllegalArgumentException on an empty prompt, a token out of range, a too short
     *         output, or a state made by a different model layout (nothing is changed)
     */
    void prefill(ContextState state, int[] tokens, Logits which, float[] logitsOut);

    /** {@link #prefill(ContextState, int[], Logits, float[])} for the last position only. */
    default void prefill(ContextState state, int[] tokens, float[] logitsOut) {
        prefill(state, tokens, Logits.LAST_POSITION, logitsOut);
    }

    /** Appends one token and writes the logits {@code (vocab)} of the next one. */
    void decodeStep(ContextState state, int token, float[] logitsOut);

    /**
     * One decode step of several independent contexts at once: context {@code i} appends {@code tokens[i]} and the
     * logits of its next token go to row {@code i} of {@code logitsOut (contexts.size(), vocab)}. Equals
     * {@link #decodeStep} on each in turn, up to rounding. This default runs them in turn; a model that can share
     * the weight reads between the rows (one matrix product instead of one per context, what makes serving many
     * questions at once cheaper than one after another) overrides it.
     *
     * @throws IllegalArgumentException when the sizes disagree or a context appears twice (nothing is changed)
     */
    default void decodeBatch(List<ContextState> contexts, int[] tokens, float[] logitsOut) {
        checkBatch(contexts, tokens, logitsOut, vocabSize());
        float[] row = contexts.size() == 1 ? logitsOut : new float[vocabSize()];
        for (int i = 0; i < contexts.size(); i++) {
            decodeStep(contexts.get(i), tokens[i], row);
            if (row != logitsOut) {
                System.arraycopy(row, 0, logitsOut, i * vocabSize(), vocabSize());
            }
        }
    }

    /** The argument checks of {@link #decodeBatch}. */
    static void checkBatch(List<ContextState> contexts, int[] tokens, float[] logitsOut, int vocab) {
        if (contexts.isEmpty() || contexts.size() != tokens.length) {
            throw new IllegalArgumentException("a decode batch of " + contexts.size() + " contexts and " + tokens.length
                    + " tokens");
        }
        if ((long) contexts.size() * vocab > logitsOut.length) {
            throw new IllegalArgumentException("logits of " + contexts.size() + " x " + vocab + " do not fit "
                    + logitsOut.length + " floats");
        }
        Set<ContextState> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ContextState context : contexts) {
            if (!seen.add(context)) {
                throw new IllegalArgumentException("context " + context + " appears twice in one decode batch");
            }
        }
        for (int token : tokens) {
            if (token < 0 || token >= vocab) {
                throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, " + vocab + ")");
            }
        }
    }
}
