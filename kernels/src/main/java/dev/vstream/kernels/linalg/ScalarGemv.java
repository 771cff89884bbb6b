package dev.vstream.kernels.linalg;

import dev.vstream.kernels.tensor.Tensor;

/** The reference {@link Gemv}: {@link ScalarGemm} with one row, accumulated in double. */
public final class ScalarGemv implements Gemv {

    private final ScalarGemm gemm = new ScalarGemm();

    @Override
    public void multiply(float[] x, int xOffset, Tensor weight, Tensor bias,
                         float[] y, int yOffset, OutputMode mode) {
        gemm.multiply(x, xOffset, 1, weight, bias, y, yOffset, mode);
    }

    @Override
    public String toString() {
        return "ScalarGemv";
    }
}
