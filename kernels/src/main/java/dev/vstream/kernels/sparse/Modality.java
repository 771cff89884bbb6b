package dev.vstream.kernels.sparse;

/** The modality of a span of tokens in a prefill sequence. */
public enum Modality {
    TEXT,
    VIDEO
}
