package dev.vstream.kernels.norm;

import dev.vstream.kernels.tensor.Tensor;

/**
 * The reference {@link Norms}: statistics accumulated in double, LayerNorm in two passes
 * (mean, then the squared deviations), each output rounded to float once. Fallback without
 * the Vector API and oracle of the tests.
 */
public final class ScalarNorms implements Norms {

    @Override
    public void rmsNorm(float[] x, int xOffset, float[] out, int outOffset, int rows, int dim,
                        Tensor weight, float eps) {
        NormArguments.check(x, xOffset, out, outOffset, rows, dim, weight, null, true, eps);
        for (int r = 0; r < rows; r++) {
            int from = xOffset + r * dim;
            int to = outOffset + r * dim;
            double squares = 0;
            for (int i = 0; i < dim; i++) {
                squares += (double) x[from + i] * x[from + i];
            }
            double scale = 1 / Math.sqrt(squares / dim + eps);
            for (int i = 0; i < dim; i++) {
                out[to + i] = (float) (x[from + i] * scale * NormArguments.at(weight, i, 1f));
            }
        }
    }

    @Override
    public void layerNorm(float[] x, int xOffset, float[] out, int outOffset, int rows, int dim,
                          Tensor weight, Tensor bias, float eps) {
        NormArguments.check(x, xOffset, out, outOffset, rows, dim, weight, bias, false, eps);
        for (int r = 0; r < rows; r++) {
            int from = xOffset + r * dim;
            int to = outOffset + r * dim;
            double sum = 0;
            for (int i = 0; i < dim; i++) {
                sum += x[from + i];
            }
            double mean = sum / dim;
            double deviations = 0;
            for (int i = 0; i < dim; i++) {
                double d = x[from + i] - mean;
                deviations += d * d;
            }
            double scale = 1 / Math.sqrt(deviations / dim + eps);
            for (int i = 0; i < dim; i++) {
                out[to + i] = (float) ((x[from + i] - mean) * scale * NormArguments.at(weight, i, 1f)
                        + NormArguments.at(bias, i, 0f));
            }
        }
    }

    @Override
    public String toString() {
        return "ScalarNorms";
    }
}
