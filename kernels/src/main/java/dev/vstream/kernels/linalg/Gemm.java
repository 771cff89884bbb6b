package dev.vstream.kernels.linalg;

import dev.vstream.kernels.tensor.Tensor;

/**
 * Matrix multiplication in the {@code nn.Linear} layout, the projection of a whole sequence:
 *
 * <pre>
 *   C[i, j] = sum_p A[i, p] * W[j, p]  (+ bias[j])        i < m, j < n, p < k
 * </pre>
 *
 * that is {@code C = A W^T + b}, with activations {@code A} fp32 row-major {@code (m, k)}, the
 * weight {@code W} as stored by PyTorch {@code (out = n, in = k)}, fp32 or bf16, read in
 * place from its segment (typically a memory-mapped checkpoint: never copied whole to the
 * heap), and {@code C} fp32 row-major {@code (m, n)}.
 *
 * <p>Implementations are chosen once at start-up (see {@code dev.vstream.kernels.cpu.CpuKernels})
 * and may own scratch buffers and a {@link ComputePool}: one instance serves one inference
 * loop, calls are serialised. {@code c} must not overlap {@code a}.
 *
 * <p>Multi-threaded implementations read the weight segment from their pool's threads, so it
 * must belong to a shared or global arena (a memory-mapped checkpoint opened with
 * {@code Arena.ofShared()}), not a confined one.
 */
public interface Gemm {

    /**
     * Computes {@code C = A W^T (+ bias)} or {@code C += A W^T (+ bias)}.
     *
     * @param a       activations {@code (m, k)}, row-major, starting at {@code aOffset}
     * @param m       rows of {@code A} and {@code C}; 0 is a no-op
     * @param weight  {@code (n, k)}, {@link dev.vstream.kernels.tensor.DType#F32} or
     *                {@link dev.vstream.kernels.tensor.DType#BF16}
     * @param bias    {@code (n)} F32 or BF16, or {@code null} for none
     * @param c       output {@code (m, n)}, row-major, starting at {@code cOffset}
     * @param mode    overwrite {@code C} or add to it
     * @throws IllegalArgumentException on a shape, dtype or range mismatch (nothing written)
     */
    void multiply(float[] a, int aOffset, int m, Tensor weight, Tensor bias,
                  float[] c, int cOffset, OutputMode mode);

    /** {@link #multiply} without bias, overwriting {@code C}. */
    default void multiply(float[] a, int aOffset, int m, Tensor weight, float[] c, int cOffset) {
        multiply(a, aOffset, m, weight, null, c, cOffset, OutputMode.OVERWRITE);
    }
}
