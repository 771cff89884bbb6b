package dev.vstream.kernels.linalg;

import dev.vstream.kernels.tensor.Tensor;

/**
 * Matrix-vector product in the {@code nn.Linear} layout, the projection of one token while
 * decoding:
 *
 * <pre>
 *   y[j] = sum_p W[j, p] * x[p]  (+ bias[j])        j < n, p < k
 * </pre>
 *
 * Every weight is used once, so this is bound by memory bandwidth, not arithmetic: an
 * implementation should stream each row of {@code W} exactly once and widen bf16 in
 * registers. Same layouts and contract as {@link Gemm} with {@code m = 1}; {@code y} must not
 * overlap {@code x}.
 *
 * <p>Multi-threaded implementations read the weight segment from their pool's threads, so it
 * must belong to a shared or global arena (a memory-mapped checkpoint opened with
 * {@code Arena.ofShared()}), not a confined one.
 */
public interface Gemv {

    /**
     * Computes {@code y = W x (+ bias)} or {@code y += W x (+ bias)}.
     *
     * @param x       input {@code (k)} starting at {@code xOffset}
     * @param weight  {@code (n, k)}, F32 or BF16
     * @param bias    {@code (n)} F32 or BF16, or {@code null} for none
     * @param y       output {@code (n)} starting at {@code yOffset}
     * @param mode    overwrite {@code y} or add to it
     * @throws IllegalArgumentException on a shape, dtype or range mismatch (nothing written)
     */
    void multiply(float[] x, int xOffset, Tensor weight, Tensor bias,
                  float[] y, int yOffset, OutputMode mode);

    /** {@link #multiply} without bias, overwriting {@code y}. */
    default void multiply(float[] x, int xOffset, Tensor weight, float[] y, int yOffset) {
        multiply(x, xOffset, weight, null, y, yOffset, OutputMode.OVERWRITE);
    }
}
