package dev.vstream.model.lm;

/**
 * A language model that reads a video memory: input embeddings ({@link EmbeddingPrefill}) prefilled with the
 * MMInference sparse attention where the context is long ({@link SparsePrefill}). Both hybrid models are one:
 * the memory service prefills a stream's memory through this interface, whichever model it runs.
 */
public interface MultimodalPrefill extends EmbeddingPrefill, SparsePrefill {

    /**
     * As {@link #prefillEmbeddings(ContextState, float[], int, float[])}, the attention as {@code options} ask
     * (see {@link SparsePrefill}).
     *
     * @throws IllegalArgumentException as the plain call, and when the options' spans do not cover exactly the
     *         rows or their patterns do not fit (nothing is changed)
     */
    void prefillEmbeddings(ContextState state, float[] embeddings, int rows, PrefillOptions options,
            float[] logitsOut);

    /** Attention layers the last options prefill ran sparse (0: it ran dense). */
    int lastSparseLayers();

    /**
     * Attention block pairs those layers computed relative to a dense causal sweep, mean over layers and heads; 1
     * when it ran dense (a short prompt split by modality boundaries can cost more than 1).
     */
    double lastSparseDensity();
}
