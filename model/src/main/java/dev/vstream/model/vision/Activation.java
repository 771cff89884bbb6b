package dev.vstream.model.vision;

import dev.vstream.model.loader.ModelLoadException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The MLP non-linearities of the vision towers and the projector, by their Hugging Face
 * {@code hidden_act} names. Applied in place; values are computed in double and rounded once.
 */
public enum Activation {
    /** CLIP: {@code x * sigmoid(1.702 x)}. */
    QUICK_GELU("quick_gelu"),
    /** Exact GELU, {@code 0.5 x (1 + erf(x / sqrt 2))}: nn.GELU(), the mlp2x_gelu projector. */
    GELU("gelu"),
    /** SigLIP: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
    GELU_TANH("gelu_pytorch_tanh", "gelu_new");

    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double ONE_OVER_SQRT_PI = 1 / Math.sqrt(Math.PI);

    private final String[] names;

    Activation(String... names) {
        this.names = names;
    }

    /** The activation for a {@code hidden_act} value; {@code source} names the config file. */
    public static Activation byName(String name, String source) {
        for (Activation activation : values()) {
            if (Arrays.asList(activation.names).contains(name)) {
                return activation;
            }
        }
        throw new ModelLoadException(source + ": hidden_act '" + name + "' is not supported (supported: "
                + Arrays.stream(values()).flatMap(a -> Arrays.stream(a.names)).collect(Collectors.joining(", "))
                + ")");
    }

    /** Applies the activation to {@code x[from, to)} in place. */
    public void apply(float[] x, int from, int to) {
        switch (this) {
            case QUICK_GELU -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    x[i] = (float) (v / (1 + Math.exp(-1.702 * v)));
                }
            }
            case GELU -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    x[i] = (float) (0.5 * v * (1 + erf(v * SQRT_HALF)));
                }
            }
            case GELU_TANH -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    x[i] = (float) (0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))));
                }
            }
        }
    }

    /**
     * The error function to about 1e-15, which java.lang.Math lacks. For |x| below 2.5 the
     * all-positive series (Abramowitz and Stegun 7.1.6)
     * {@code erf x = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))}, which has no
     * cancellation; above it the continued fraction (A&S 7.1.14)
     * {@code erfc x = e^(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))}
     * evaluated with the modified Lentz method; beyond 6, erfc is below 2.2e-17 and erf is 1.
     */
    public static double erf(double x) {
        double a = Math.abs(x);
        double result;
        if (a < 2.5) {
            double term = a;
            double sum = a;
            double twoX2 = 2 * a * a;
            for (int n = 1; n < 200 && term > 1e-17 * sum; n++) {
                term *= twoX2 / (2 * n + 1);
                sum += term;
            }
            result = TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
        } else if (a < 6) {
            result = 1 - ONE_OVER_SQRT_PI * Math.exp(-a * a) * continuedFraction(a);
        } else {
            result = 1;
        }
        return Math.copySign(result, x);
    }

    /** {@code 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + ...))))} by modified Lentz, x >= 2.5. */
    private static double continuedFraction(double x) {
        final double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int n = 1; n < 500; n++) {
            double an = n * 0.5;
            d = x + an * d;
            d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
            c = x + an / c;
            c = Math.abs(c) < tiny ? tiny : c;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return 1 / f;
    }
}
