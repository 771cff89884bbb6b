package dev.vstream.model.lm;

/**
 * What one layer keeps between calls, one class per kind of mixer state. All are fp32 (a KV cache's frozen
 * prefix may be bf16, see {@link KvCache}),
 * mutable, and owned by exactly one {@link ContextState}; {@link #copy()} is deep.
 */
public sealed interface LayerCache
        permits KvCache, SlidingWindowKvCache, ConvState, SsmState, DeltaRuleState {

    /** An independent deep copy (a KV cache is trimmed to its length). */
    LayerCache copy();

    /**
     * A cache that continues from this one, which must never change again (a snapshot's cache):
     * independent of every other continuation. A deep copy, except where a cache can share
     * what it will never write ({@link KvCache} shares its positions as a frozen prefix).
     */
    default LayerCache resumeCopy() {
        return copy();
    }

    /** Bytes of state held, arrays only (what a snapshot costs to keep or ship). */
    long sizeInBytes();
}
