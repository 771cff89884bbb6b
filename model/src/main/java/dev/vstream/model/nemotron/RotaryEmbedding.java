package dev.vstream.model.nemotron;

/**
 * Rotary position embedding in the rotate-half convention of the reference (Llama style):
 * for each head and {@code i < d/2}, with {@code theta_i = base^(-2i/d)} and angle
 * {@code p * theta_i},
 *
 * <pre>
 *   x'[i]       = x[i] cos - x[i + d/2] sin
 *   x'[i + d/2] = x[i + d/2] cos + x[i] sin
 * </pre>
 *
 * Angles are computed in double from the exact frequencies, so positions in the tens of
 * thousands keep their accuracy.
 */
final class RotaryEmbedding {

    private final int headDim;
    private final double[] frequencies; // (headDim / 2)

    RotaryEmbedding(int headDim, double base) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("RoPE needs an even head width, got " + headDim);
        }
        this.headDim = headDim;
        this.frequencies = new double[headDim / 2];
        for (int i = 0; i < frequencies.length; i++) {
            frequencies[i] = 1.0 / Math.pow(base, 2.0 * i / headDim);
        }
    }

    /**
     * Rotates {@code heads} heads of each of {@code rows} rows (row {@code r} at
     * {@code offset + r * rowStride}, position {@code firstPosition + r}) in place.
     */
    void apply(float[] x, int offset, int rowStride, int rows, int heads, int firstPosition) {
        int half = headDim / 2;
        for (int r = 0; r < rows; r++) {
            long position = (long) firstPosition + r;
            int row = offset + r * rowStride;
            for (int i = 0; i < half; i++) {
                double angle = position * frequencies[i];
                float cos = (float) Math.cos(angle);
                float sin = (float) Math.sin(angle);
                for (int h = 0; h < heads; h++) {
                    int a = row + h * headDim + i;
                    float x1 = x[a];
                    float x2 = x[a + half];
                    x[a] = x1 * cos - x2 * sin;
                    x[a + half] = x2 * cos + x1 * sin;
                }
            }
        }
    }
}
