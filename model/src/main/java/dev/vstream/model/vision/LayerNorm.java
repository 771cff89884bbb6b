package dev.vstream.model.vision;

import dev.vstream.kernels.tensor.Tensor;
import java.util.Objects;

/**
 * {@code y = (x - mean(x)) / sqrt(var(x) + eps) * gamma + beta} over the last dimension, with the
 * biased variance as in {@code nn.LayerNorm}. Row statistics are accumulated in double.
 */
final class LayerNorm {

    private final int dim;
    private final float[] gamma; // (dim)
    private final float[] beta;  // (dim)
    private final double eps;

    LayerNorm(Tensor gamma, Tensor beta, double eps) {
        this.gamma = gamma.toFloatArray();
        this.beta = beta.toFloatArray();
        this.dim = this.gamma.length;
        this.eps = eps;
        if (this.beta.length != dim) {
            throw new IllegalArgumentException("LayerNorm weight has " + dim + " values, bias " + this.beta.length);
        }
    }

    int dim() {
        return dim;
    }

    /** Normalizes {@code rows} rows of x {@code (rows, dim)} into y; x and y may be the same array. */
    void forward(float[] x, int xOffset, int rows, float[] y, int yOffset) {
        Objects.checkFromIndexSize(xOffset, (long) rows * dim, x.length);
        Objects.checkFromIndexSize(yOffset, (long) rows * dim, y.length);
        for (int r = 0; r < rows; r++) {
            int xs = xOffset + r * dim;
            int ys = yOffset + r * dim;
            double sum = 0;
            for (int i = 0; i < dim; i++) {
                sum += x[xs + i];
            }
            double mean = sum / dim;
            double squares = 0;
            for (int i = 0; i < dim; i++) {
                double d = x[xs + i] - mean;
                squares += d * d;
            }
            double inverseStd = 1 / Math.sqrt(squares / dim + eps);
            for (int i = 0; i < dim; i++) {
                y[ys + i] = (float) ((x[xs + i] - mean) * inverseStd * gamma[i] + beta[i]);
            }
        }
    }
}
