package dev.vstream.kernels.elementwise;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Elementwise} on the Vector API: memory-bound loops, unrolled by two so that two
 * load/op/store chains are in flight; a scalar tail. Each element is one IEEE operation, so
 * the result is bit-identical to {@link ScalarElementwise}.
 */
public final class VectorElementwise implements Elementwise {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = FLOATS.length();

    @Override
    public void add(float[] dst, int dstOffset, float[] src, int srcOffset, int length) {
        ElementwiseArguments.check(dst, dstOffset, src, srcOffset, length);
        int i = 0;
        for (; i + 2 * LANES <= length; i += 2 * LANES) {
            FloatVector.fromArray(FLOATS, dst, dstOffset + i)
                    .add(FloatVector.fromArray(FLOATS, src, srcOffset + i))
                    .intoArray(dst, dstOffset + i);
            FloatVector.fromArray(FLOATS, dst, dstOffset + i + LANES)
                    .add(FloatVector.fromArray(FLOATS, src, srcOffset + i + LANES))
                    .intoArray(dst, dstOffset + i + LANES);
        }
        for (; i < length; i++) {
            dst[dstOffset + i] += src[srcOffset + i];
        }
    }

    @Override
    public void mul(float[] dst, int dstOffset, float[] src, int srcOffset, int length) {
        ElementwiseArguments.check(dst, dstOffset, src, srcOffset, length);
        int i = 0;
        for (; i + 2 * LANES <= length; i += 2 * LANES) {
            FloatVector.fromArray(FLOATS, dst, dstOffset + i)
                    .mul(FloatVector.fromArray(FLOATS, src, srcOffset + i))
                    .intoArray(dst, dstOffset + i);
            FloatVector.fromArray(FLOATS, dst, dstOffset + i + LANES)
                    .mul(FloatVector.fromArray(FLOATS, src, srcOffset + i + LANES))
                    .intoArray(dst, dstOffset + i + LANES);
        }
        for (; i < length; i++) {
            dst[dstOffset + i] *= src[srcOffset + i];
        }
    }

    @Override
    public String toString() {
        return "VectorElementwise[" + FLOATS.vectorBitSize() + "-bit]";
    }
}
