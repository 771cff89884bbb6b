package dev.vstream.kernels.activation;

/**
 * The reference {@link Activations}, evaluated in double and rounded once: fallback without
 * the Vector API and the oracle of the tests. {@link #erf} is ours because the JDK has none.
 */
public final class ScalarActivations implements Activations {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double GELU_CUBIC = 0.044715;

    @Override
    public void silu(float[] x, int offset, int length) {
        ActivationArguments.check(x, offset, length);
        for (int i = offset; i < offset + length; i++) {
            double v = x[i];
            x[i] = (float) (v / (1 + Math.exp(-v)));
        }
    }

    @Override
    public void geluTanh(float[] x, int offset, int length) {
        ActivationArguments.check(x, offset, length);
        for (int i = offset; i < offset + length; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_CUBIC * v * v * v))));
        }
    }

    @Override
    public void geluErf(float[] x, int offset, int length) {
        ActivationArguments.check(x, offset, length);
        for (int i = offset; i < offset + length; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1 + erf(v / Math.sqrt(2))));
        }
    }

    @Override
    public void softmaxRows(float[] x, int offset, int rows, int cols) {
        ActivationArguments.checkRows(x, offset, rows, cols);
        for (int r = 0; r < rows; r++) {
            int from = offset + r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = from; i < from + cols; i++) {
                max = Math.max(max, x[i]);
            }
            double sum = 0;
            for (int i = from; i < from + cols; i++) {
                sum += Math.exp(x[i] - max);
            }
            for (int i = from; i < from + cols; i++) {
                x[i] = (float) (Math.exp(x[i] - max) / sum);
            }
        }
    }

    /**
     * The error function to about 1e-9 absolute (1e-14 for {@code |z| >= 4}), ample for an
     * fp32 reference. For {@code |z| < 4} its Maclaurin series {@code 2/sqrt(pi) sum_n (-1)^n
     * z^(2n+1) / (n! (2n+1))}, whose terms peak near 4e6 at 4, so cancellation costs about 7 of
     * 16 digits; beyond, {@code 1 - erfc(z)} with the asymptotic series {@code erfc(z) ~
     * e^(-z^2) / (z sqrt(pi)) sum_n (-1)^n (2n-1)!! / (2z^2)^n}, summed while its terms shrink
     * (smallest term at 4 about 1e-7 of erfc(4) = 1.5e-8).
     */
    static double erf(double z) {
        double a = Math.abs(z);
        double result;
        if (a < 4) {
            double term = a;
            double sum = a;
            double square = a * a;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -square / n;
                sum += term / (2 * n + 1);
            }
            result = 2 / Math.sqrt(Math.PI) * sum;
        } else if (a < 27) {
            double inverse = 1 / (2 * a * a);
            double term = 1;
            double series = 1;
            for (int n = 1; n < 60; n++) {
                double next = -term * (2 * n - 1) * inverse;
                if (Math.abs(next) >= Math.abs(term)) {
                    break;
                }
                term = next;
                series += term;
            }
            result = 1 - Math.exp(-a * a) / (a * Math.sqrt(Math.PI)) * series;
        } else {
            result = 1;
        }
        return Math.copySign(result, z);
    }

    @Override
    public String toString() {
        return "ScalarActivations";
    }
}
