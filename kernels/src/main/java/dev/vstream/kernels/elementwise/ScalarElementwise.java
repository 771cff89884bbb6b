package dev.vstream.kernels.elementwise;

/** The reference {@link Elementwise}: one correctly rounded float operation per element. */
public final class ScalarElementwise implements Elementwise {

    @Override
    public void add(float[] dst, int dstOffset, float[] src, int srcOffset, int length) {
        ElementwiseArguments.check(dst, dstOffset, src, srcOffset, length);
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] += src[srcOffset + i];
        }
    }

    @Override
    public void mul(float[] dst, int dstOffset, float[] src, int srcOffset, int length) {
        ElementwiseArguments.check(dst, dstOffset, src, srcOffset, length);
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] *= src[srcOffset + i];
        }
    }

    @Override
    public String toString() {
        return "ScalarElementwise";
    }
}
