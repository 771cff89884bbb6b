package dev.vstream.model.nemotron;

import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LayerCache;
import java.util.List;

/**
 * One entry of Nemotron-Flash's {@code layer_types}: a token mixer or an FFN, each with its own
 * pre-RMSNorm and residual connection, {@code x <- x + op(RMSNorm(x))}. The model keeps a list
 * of them built from the config and runs one loop over it, for prefill (many rows) and decode
 * (one row) alike.
 */
sealed interface Operator permits DeltaNetMixer, Mamba2Mixer, GroupedQueryAttention, FeedForward {

    /** How many cache slots {@link #newCaches()} fills. */
    int cacheSlots();

    /** Fresh (empty, zero) caches of this operator, in slot order; none for an FFN. */
    List<LayerCache> newCaches();

    /**
     * Runs {@code rows} consecutive positions starting at {@code firstPosition}, updating the
     * residual stream {@code x (rows, hidden)} in place and appending the rows to this
     * operator's caches, which sit in {@code state} from slot {@code firstSlot}.
     */
    void forward(float[] x, int rows, int firstPosition, ContextState state, int firstSlot, Scratch scratch);

    /**
     * A batched decode step: row {@code r} of {@code x} is the next token of {@code contexts.get(r)}, at that
     * context's position; updates every row as {@link #forward} would one at a time. The projections run once
     * over all rows, what carries state (convolutions, scans, attention) per context.
     */
    void forwardBatch(float[] x, List<ContextState> contexts, int firstSlot, Scratch scratch);
}
