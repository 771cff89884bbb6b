package dev.vstream.model.lm;

/**
 * What one layer keeps between calls, one class per kind of mixer state. All are fp32,
 * mutable, and owned by exactly one {@link ContextState}; {@link #copy()} is deep.
 */
public sealed interface LayerCache
        permits KvCache, SlidingWindowKvCache, ConvState, SsmState, DeltaRuleState {

    /** An independent deep copy (a KV cache is trimmed to its length). */
    LayerCache copy();

    /** Bytes of state held, arrays only (what a snapshot costs to keep or ship). */
    long sizeInBytes();
}
