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
    public void addWeightedRows(float[] dst, int heads, int width, float[] weights, int weightOffset, int weightStride,
                                float[] rows, int rowOffset, int count) {
        ElementwiseArguments.checkWeightedRows(dst, heads, width, weights, weightOffset, weightStride, rows, rowOffset,
                count);
        for (int j = 0; j < count; j++) {
            int row = rowOffset + j * width;
            for (int h = 0; h < heads; h++) {
                float w = weights[weightOffset + h * weightStride + j];
                int o = h * width;
                for (int c = 0; c < width; c++) {
                    dst[o + c] += w * rows[row + c];
                }
            }
        }
    }

    @Override
    public String toString() {
        return "ScalarElementwise";
    }
}
