package dev.vstream.model.lm;

/**
 * How a frozen context ({@link ContextState.Snapshot}) stores its full-attention keys and values.
 * A live context always appends in fp32; the choice applies when a context is frozen to be kept,
 * shipped and resumed by many questions.
 */
public enum KvPrecision {
    /** Bit-exact: a resumed context continues exactly as the original would have. */
    F32,
    /**
     * Rounded to bfloat16 (nearest even), half the bytes: what the models' own bf16 runtimes keep,
     * and half the memory traffic of every question that reads a long context. The recurrent
     * states and sliding windows stay fp32.
     */
    BF16
}
