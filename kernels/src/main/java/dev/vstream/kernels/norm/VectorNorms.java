package dev.vstream.kernels.norm;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Norms} on the Vector API. Each row is read twice (RMSNorm: sum of squares, then
 * scale) or three times (LayerNorm: mean, squared deviations, then normalise): rows are a few
 * thousand floats and stay in L1, and the two-pass variance avoids the cancellation of
 * {@code E[x^2] - E[x]^2} that a one-pass formula suffers on activations with a large mean.
 * Statistics use two accumulators to hide FMA latency; sums are float (a row of 4096
 * values loses about 1e-6 relative, far below bf16 weight precision).
 */
public final class VectorNorms implements Norms {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> HALVES =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    private static final int LANES = FLOATS.length();

    @Override
    public void rmsNorm(float[] x, int xOffset, float[] out, int outOffset, int rows, int dim,
                        Tensor weight, float eps) {
        NormArguments.check(x, xOffset, out, outOffset, rows, dim, weight, null, true, eps);
        for (int r = 0; r < rows; r++) {
            int from = xOffset + r * dim;
            float squares = sumOfSquares(x, from, dim, 0f);
            float scale = (float) (1 / Math.sqrt((double) squares / dim + eps));
            affine(x, from, out, outOffset + r * dim, dim, 0f, scale, weight, null);
        }
    }

    @Override
    public void layerNorm(float[] x, int xOffset, float[] out, int outOffset, int rows, int dim,
                          Tensor weight, Tensor bias, float eps) {
        NormArguments.check(x, xOffset, out, outOffset, rows, dim, weight, bias, false, eps);
        for (int r = 0; r < rows; r++) {
            int from = xOffset + r * dim;
            float mean = dim == 0 ? 0f : sum(x, from, dim) / dim;
            float deviations = sumOfSquares(x, from, dim, mean);
            float scale = (float) (1 / Math.sqrt((double) deviations / dim + eps));
            affine(x, from, out, outOffset + r * dim, dim, mean, scale, weight, bias);
        }
    }

    private static float sum(float[] x, int from, int dim) {
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = acc0;
        int i = 0;
        for (; i + 2 * LANES <= dim; i += 2 * LANES) {
            acc0 = acc0.add(FloatVector.fromArray(FLOATS, x, from + i));
            acc1 = acc1.add(FloatVector.fromArray(FLOATS, x, from + i + LANES));
        }
        float total = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            total += x[from + i];
        }
        return total;
    }

    /** {@code sum_i (x[i] - center)^2}. */
    private static float sumOfSquares(float[] x, int from, int dim, float center) {
        FloatVector c = FloatVector.broadcast(FLOATS, center);
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = acc0;
        int i = 0;
        for (; i + 2 * LANES <= dim; i += 2 * LANES) {
            FloatVector d0 = FloatVector.fromArray(FLOATS, x, from + i).sub(c);
            FloatVector d1 = FloatVector.fromArray(FLOATS, x, from + i + LANES).sub(c);
            acc0 = d0.fma(d0, acc0);
            acc1 = d1.fma(d1, acc1);
        }
        float total = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            float d = x[from + i] - center;
            total += d * d;
        }
        return total;
    }

    /** {@code out[i] = (x[i] - center) * scale * weight[i] + bias[i]}; absent weight 1, bias 0. */
    private static void affine(float[] x, int from, float[] out, int to, int dim, float center,
                               float scale, Tensor weight, Tensor bias) {
        FloatVector c = FloatVector.broadcast(FLOATS, center);
        FloatVector s = FloatVector.broadcast(FLOATS, scale);
        FloatVector zero = FloatVector.zero(FLOATS);
        int bound = FLOATS.loopBound(dim);
        int i = 0;
        for (; i < bound; i += LANES) {
            FloatVector w = weight == null ? s : load(weight, i).mul(s);
            FloatVector b = bias == null ? zero : load(bias, i);
            FloatVector.fromArray(FLOATS, x, from + i).sub(c).fma(w, b).intoArray(out, to + i);
        }
        for (; i < dim; i++) {
            out[to + i] = (x[from + i] - center) * (scale * NormArguments.at(weight, i, 1f))
                    + NormArguments.at(bias, i, 0f);
        }
    }

    /** {@code LANES} parameters from {@code i} as floats; bf16 widened by a 16-bit shift. */
    private static FloatVector load(Tensor tensor, int i) {
        MemorySegment segment = tensor.segment();
        if (tensor.dtype() == DType.F32) {
            return FloatVector.fromMemorySegment(FLOATS, segment, (long) i * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
        }
        IntVector wide = (IntVector) ShortVector.fromMemorySegment(HALVES, segment, (long) i * Short.BYTES,
                ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.S2I, INTS, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    @Override
    public String toString() {
        return "VectorNorms[" + FLOATS.vectorBitSize() + "-bit]";
    }
}
