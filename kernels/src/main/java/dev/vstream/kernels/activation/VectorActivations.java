package dev.vstream.kernels.activation;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Activations} on the Vector API: a vector main loop and the same formula in scalar
 * float for the tail. {@code exp} is the Vector API's lanewise operator (on x86 HotSpot
 * compiles it to an SVML-derived stub, a few ulp); {@code erf} has no such
 * operator and is the Abramowitz-Stegun 7.1.26 rational approximation, absolute error at most
 * 1.5e-7:
 * <pre>
 *   t = 1 / (1 + 0.3275911 |z|)
 *   erf(z) = sign(z) (1 - t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) e^(-z^2))
 * </pre>
 */
public final class VectorActivations implements Activations {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = FLOATS.length();

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);
    private static final float GELU_CUBIC = 0.044715f;
    private static final float INV_SQRT_2 = (float) (1 / Math.sqrt(2));
    private static final float ERF_P = 0.3275911f;
    private static final float ERF_A1 = 0.254829592f;
    private static final float ERF_A2 = -0.284496736f;
    private static final float ERF_A3 = 1.421413741f;
    private static final float ERF_A4 = -1.453152027f;
    private static final float ERF_A5 = 1.061405429f;

    @Override
    public void silu(float[] x, int offset, int length) {
        ActivationArguments.check(x, offset, length);
        int end = offset + length;
        int i = offset;
        for (; i + LANES <= end; i += LANES) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, i);
            v.div(v.neg().lanewise(VectorOperators.EXP).add(1f)).intoArray(x, i);
        }
        for (; i < end; i++) {
            x[i] = x[i] / (1f + (float) Math.exp(-x[i]));
        }
    }

    /**
     * Evaluated as {@code x / (1 + e^(-2u))}, {@code u = sqrt(2/pi) (x + 0.044715 x^3)}: the
     * same function ({@code (1 + tanh u) / 2 = sigmoid(2u)}) without the cancellation of
     * {@code 1 + tanh u} where tanh is near -1, so the negative tail keeps its relative
     * accuracy.
     */
    @Override
    public void geluTanh(float[] x, int offset, int length) {
        ActivationArguments.check(x, offset, length);
        int end = offset + length;
        int i = offset;
        for (; i + LANES <= end; i += LANES) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, i);
            // -2u = x (-2 sqrt(2/pi) - 2 sqrt(2/pi) 0.044715 x^2)
            FloatVector minusTwoU = v.mul(v).fma(-2 * SQRT_2_OVER_PI * GELU_CUBIC, -2 * SQRT_2_OVER_PI).mul(v);
            v.div(minusTwoU.lanewise(VectorOperators.EXP).add(1f)).intoArray(x, i);
        }
        for (; i < end; i++) {
            float v = x[i];
            float u = SQRT_2_OVER_PI * (v + GELU_CUBIC * v * v * v);
            x[i] = v / (1f + (float) Math.exp(-2 * u));
        }
    }

    @Override
    public void geluErf(float[] x, int offset, int length) {
        ActivationArguments.check(x, offset, length);
        int end = offset + length;
        int i = offset;
        for (; i + LANES <= end; i += LANES) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, i);
            FloatVector half = v.mul(0.5f);
            half.fma(erf(v.mul(INV_SQRT_2)), half).intoArray(x, i);
        }
        for (; i < end; i++) {
            float v = x[i];
            x[i] = 0.5f * v * (1f + erf(v * INV_SQRT_2));
        }
    }

    /** Abramowitz-Stegun 7.1.26, lane by lane. */
    private static FloatVector erf(FloatVector z) {
        FloatVector a = z.abs();
        FloatVector t = a.fma(ERF_P, 1f);
        t = FloatVector.broadcast(FLOATS, 1f).div(t);
        FloatVector poly = t.fma(ERF_A5, ERF_A4).fma(t, FloatVector.broadcast(FLOATS, ERF_A3))
                .fma(t, FloatVector.broadcast(FLOATS, ERF_A2)).fma(t, FloatVector.broadcast(FLOATS, ERF_A1))
                .mul(t);
        FloatVector gaussian = a.mul(a).neg().lanewise(VectorOperators.EXP);
        FloatVector magnitude = poly.neg().fma(gaussian, FloatVector.broadcast(FLOATS, 1f));
        return magnitude.blend(magnitude.neg(), z.lt(0f));
    }

    /** The same approximation in scalar float, for tails. */
    private static float erf(float z) {
        float a = Math.abs(z);
        float t = 1f / (1f + ERF_P * a);
        float poly = t * (ERF_A1 + t * (ERF_A2 + t * (ERF_A3 + t * (ERF_A4 + t * ERF_A5))));
        float magnitude = 1f - poly * (float) Math.exp(-a * a);
        return z < 0 ? -magnitude : magnitude;
    }

    @Override
    public void softmaxRows(float[] x, int offset, int rows, int cols) {
        ActivationArguments.checkRows(x, offset, rows, cols);
        for (int r = 0; r < rows; r++) {
            softmaxRow(x, offset + r * cols, cols);
        }
    }

    private static void softmaxRow(float[] x, int from, int cols) {
        int end = from + cols;
        int bound = from + FLOATS.loopBound(cols);
        FloatVector maxes = FloatVector.broadcast(FLOATS, Float.NEGATIVE_INFINITY);
        int i = from;
        for (; i < bound; i += LANES) {
            maxes = maxes.max(FloatVector.fromArray(FLOATS, x, i));
        }
        float max = maxes.reduceLanes(VectorOperators.MAX);
        for (; i < end; i++) {
            max = Math.max(max, x[i]);
        }
        FloatVector shift = FloatVector.broadcast(FLOATS, max);
        FloatVector sums = FloatVector.zero(FLOATS);
        for (i = from; i < bound; i += LANES) {
            FloatVector e = FloatVector.fromArray(FLOATS, x, i).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(x, i);
            sums = sums.add(e);
        }
        float sum = sums.reduceLanes(VectorOperators.ADD);
        for (; i < end; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        float inverse = 1f / sum;
        for (i = from; i < bound; i += LANES) {
            FloatVector.fromArray(FLOATS, x, i).mul(inverse).intoArray(x, i);
        }
        for (; i < end; i++) {
            x[i] *= inverse;
        }
    }

    @Override
    public String toString() {
        return "VectorActivations[" + FLOATS.vectorBitSize() + "-bit]";
    }
}
