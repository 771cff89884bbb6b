package dev.vstream.model.vision;

import dev.vstream.kernels.norm.Norms;
import dev.vstream.kernels.norm.ScalarNorms;
import dev.vstream.kernels.tensor.Tensor;

/**
 * {@code y = (x - mean(x)) / sqrt(var(x) + eps) * gamma + beta} over the last dimension, with the
 * biased variance as in {@code nn.LayerNorm}: a vision layer's handle on the kernels' LayerNorm, with
 * its learned scale and shift read in place from the checkpoint.
 */
final class LayerNorm {
    /** The double-accumulating reference: vision norms are a sliver of the encoder's time. */
    private static final Norms NORMS = new ScalarNorms();

    private final int dim;
    private final Tensor gamma; // (dim)
    private final Tensor beta;  // (dim)
    private final float eps;

    LayerNorm(Tensor gamma, Tensor beta, double eps) {
        this.dim = Math.toIntExact(gamma.shape().elementCount());
        if (beta.shape().elementCount() != dim) {
            throw new IllegalArgumentException("LayerNorm weight has " + dim + " values, bias " + beta.shape().elementCount());
        }
        this.gamma = gamma;
        this.beta = beta;
        this.eps = (float) eps;
    }

    int dim() {
        return dim;
    }

    /** Normalizes {@code rows} rows of x {@code (rows, dim)} into y; x and y may be the same array. */
    void forward(float[] x, int xOffset, int rows, float[] y, int yOffset) {
        NORMS.layerNorm(x, xOffset, y, yOffset, rows, dim, gamma, beta, eps);
    }
}
