package dev.vstream.kernels.elementwise;

/**
 * In-place binary arithmetic on {@code length} contiguous floats: the residual add
 * ({@code dst += src}) and the gating product of SwiGLU and the gated memory units
 * ({@code dst *= src}). {@code src} may be {@code dst} at the same offset; partial overlap is
 * not allowed. Chosen once at start-up, see {@code dev.vstream.kernels.cpu.CpuKernels}.
 */
public interface Elementwise {

    /** {@code dst[i] += src[i]}. */
    void add(float[] dst, int dstOffset, float[] src, int srcOffset, int length);

    /** {@code dst[i] *= src[i]}. */
    void mul(float[] dst, int dstOffset, float[] src, int srcOffset, int length);
}
