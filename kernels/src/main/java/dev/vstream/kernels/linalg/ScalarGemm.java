package dev.vstream.kernels.linalg;

import dev.vstream.kernels.tensor.Tensor;

/**
 * The reference {@link Gemm}: three plain loops, every product accumulated in double and
 * rounded to float once at the end. It is the fallback where the Vector API is missing and
 * the oracle the fast kernels are tested against, so it favours obviousness over speed.
 */
public final class ScalarGemm implements Gemm {

    @Override
    public void multiply(float[] a, int aOffset, int m, Tensor weight, Tensor bias,
                         float[] c, int cOffset, OutputMode mode) {
        LinearArguments.check(a, aOffset, m, weight, bias, c, cOffset, mode);
        int n = (int) weight.shape().dim(0);
        int k = (int) weight.shape().dim(1);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = LinearArguments.biasAt(bias, j);
                for (int p = 0; p < k; p++) {
                    sum += (double) a[aOffset + i * k + p] * LinearArguments.weightAt(weight, j, p);
                }
                int at = cOffset + i * n + j;
                c[at] = mode == OutputMode.ACCUMULATE ? (float) (c[at] + sum) : (float) sum;
            }
        }
    }

    @Override
    public String toString() {
        return "ScalarGemm";
    }
}
