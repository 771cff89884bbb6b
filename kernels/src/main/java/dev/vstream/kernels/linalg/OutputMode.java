package dev.vstream.kernels.linalg;

/** What a kernel does with the values already in its output. */
public enum OutputMode {
    /** {@code out = result}: the previous contents are ignored (they may be garbage or NaN). */
    OVERWRITE,
    /** {@code out = out + result}: e.g. a residual connection fused into the projection. */
    ACCUMULATE
}
