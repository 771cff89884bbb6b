package dev.vstream.model.sambay;

import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LayerCache;
import java.util.List;

/**
 * The token mixers of a SambaY layer: the closed set the layer plan draws from. One
 * {@code forward} serves prefill ({@code rows} new tokens) and decode ({@code rows = 1}); the
 * rows have positions {@code position .. position + rows - 1} (the model advances the state's
 * position only after the whole stack has run).
 */
sealed interface TokenMixer permits MambaMixer, DifferentialAttention, GatedMemoryUnit {

    /**
     * Mixes {@code ws.normed (rows, d)} into {@code ws.mixed (rows, d)}, reading and updating
     * this layer's caches in {@code state}.
     */
    void forward(int rows, int position, ContextState state, SambaYWorkspace ws);

    /**
     * A batched decode step: row {@code r} of {@code ws.normed} is the next token of {@code contexts.get(r)}, at
     * that context's position; mixes every row into {@code ws.mixed} as {@link #forward} would one at a time.
     */
    void forwardBatch(List<ContextState> contexts, SambaYWorkspace ws);

    /** Appends the caches this mixer owns to a new context's slot list (the slots it was given). */
    void addCaches(List<LayerCache> slots);
}
