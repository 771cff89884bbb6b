package dev.vstream.model.lm;

/**
 * A {@link LanguageModel} that also takes input embeddings in place of token ids, for
 * multimodal prompts: the projected visual memory tokens of a stream enter the model as rows
 * of its embedding space, the text around them as ordinary token ids.
 *
 * <p>{@code prefillEmbeddings(state, rows of embed(t_i))} equals {@code prefill(state, t_i)}
 * up to rounding, so a prompt may mix both calls in any order on one context.
 */
public interface EmbeddingPrefill extends LanguageModel {

    /** Width of one input embedding row (the model's hidden size). */
    int embeddingSize();

    /** Writes the input embedding of {@code token} to {@code out[offset, offset + embeddingSize())}. */
    void embed(int token, float[] out, int offset);

    /**
     * Runs {@code rows} input embeddings through the model, appending them to {@code state}.
     *
     * @param embeddings {@code (rows, embeddingSize)} row-major, finite
     * @param logitsOut  {@code (vocab)}: the logits after the last row; {@code null} when no
     *                   logits are wanted (a model may then skip work that only feeds them)
     * @throws IllegalArgumentException on no rows, a too short input or output, a non-finite
     *         value, or a state made by a different model layout (nothing is changed)
     */
    void prefillEmbeddings(ContextState state, float[] embeddings, int rows, float[] logitsOut);
}
