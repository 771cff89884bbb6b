package dev.vstream.model.lm;

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
}
