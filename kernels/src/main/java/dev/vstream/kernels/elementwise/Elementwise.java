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

    /**
     * A weighted sum of rows per head, attention's value sum for one query position:
     * {@code dst[h * width + c] += sum_j weights[weightOffset + h * weightStride + j] * rows[rowOffset + j * width + c]}
     * for {@code h < heads}, {@code j < count}, {@code c < width}. Each row is read once for all heads. The sum runs
     * over {@code j} in order (an FMA per term in the vector kernels, so the last bits may differ from the reference).
     */
    void addWeightedRows(float[] dst, int heads, int width, float[] weights, int weightOffset, int weightStride,
                         float[] rows, int rowOffset, int count);
}
