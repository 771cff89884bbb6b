package dev.vstream.model.lm;

import dev.vstream.kernels.sparse.PatternConfig;
import java.util.Optional;

/**
 * A {@link LanguageModel} whose prefill can run its attention layers with MMInference's
 * modality-aware sparse patterns ({@code dev.vstream.kernels.sparse.PermutedBlockSparseAttention}),
 * chosen per head offline and read with the checkpoint.
 *
 * <p>Contract: the KV caches are filled exactly as by the dense prefill (the keys and values
 * do not depend on the attention pattern), so decode, snapshots and later prefills continue
 * from a sparse prefill as from a dense one; only the attention outputs of the prefilled
 * positions (and so the later layers' inputs) differ, within what the patterns drop. A head
 * whose pattern is dense, and every head when no patterns are known, attends densely.
 * {@code prefill(state, tokens, PrefillOptions.DENSE, which, out)} equals
 * {@code prefill(state, tokens, which, out)}.
 */
public interface SparsePrefill extends LanguageModel {

    /**
     * As {@link #prefill(ContextState, int[], Logits, float[])}, the attention as
     * {@code options} ask.
     *
     * @throws IllegalArgumentException as the plain prefill, and when the options' spans do
     *         not cover exactly the tokens or their patterns do not fit the model's attention
     *         layers (nothing is changed)
     */
    void prefill(ContextState state, int[] tokens, PrefillOptions options, Logits which, float[] logitsOut);

    /** The patterns read with the checkpoint, used when the options name none. */
    Optional<PatternConfig> patterns();

    /** Attention layers a {@link PatternConfig} for this model has: its {@code layers} size. */
    int patternLayers();

    /** Query heads of each attention layer: the size of each layer's head list. */
    int patternHeads();
}
