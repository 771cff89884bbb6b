package dev.vstream.model.vision;

/**
 * Pillow's {@code Image.resize} for 8-bit RGB, reproduced exactly (same integers out), because
 * the Hugging Face processors resize with Pillow and a one-level difference in a pixel shifts
 * every feature downstream. The algorithm, from Pillow's published resampling design:
 *
 * <ol>
 *   <li>Separable: a horizontal pass to 8-bit, then a vertical pass; a pass is skipped when
 *       that side keeps its size.
 *   <li>For output index {@code i} of a side scaled by {@code scale = in / out}, the filter is
 *       widened when downscaling ({@code fs = max(1, scale)}, support {@code s = radius * fs},
 *       which is the antialiasing); its centre is {@code c = (i + 0.5) scale}, it covers input
 *       indices {@code [trunc(c - s + 0.5), trunc(c + s + 0.5))} clipped to the image, and input
 *       {@code j} gets weight {@code filter((j - c + 0.5) / fs)}, normalized to sum 1, all in
 *       double.
 *   <li>Weights become fixed point with {@code 22} fraction bits ({@code 32 - 8 - 2}), rounded
 *       half away from zero; each output is {@code (2^21 + sum w_j p_j) >> 22} in 32-bit
 *       integers, clamped to {@code [0, 255]}.
 * </ol>
 *
 * Pixels are packed {@code 0xRRGGBB} ints, row-major.
 */
final class PilResampler {

    static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    /**
     * Fixed-point weights of one axis.
     *
     * @param kernelSize maximum taps per output, {@code 2 ceil(support) + 1}
     * @param first      (out) first input index of each output
     * @param count      (out) taps of each output
     * @param weights    (out, kernelSize) fixed-point weights, zero past {@code count}
     */
    record Coefficients(int inSize, int outSize, int kernelSize, int[] first, int[] count, int[] weights) {}

    private PilResampler() {
    }

    static Coefficients coefficients(int inSize, int outSize, ResampleFilter filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support() * filterScale;
        int kernelSize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * kernelSize];
        double[] k = new double[kernelSize];
        for (int i = 0; i < outSize; i++) {
            double center = (i + 0.5) * scale;
            double inverse = 1.0 / filterScale;
            int min = Math.max(0, (int) (center - support + 0.5));
            int max = Math.min(inSize, (int) (center + support + 0.5)) - min;
            double total = 0.0;
            for (int j = 0; j < max; j++) {
                double w = filter.weight((j + min - center + 0.5) * inverse);
                k[j] = w;
                total += w;
            }
            for (int j = 0; j < max; j++) {
                double w = total != 0.0 ? k[j] / total : k[j];
                weights[i * kernelSize + j] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS)
                        : 0.5 + w * (1 << PRECISION_BITS));
            }
            first[i] = min;
            count[i] = max;
        }
        return new Coefficients(inSize, outSize, kernelSize, first, count, weights);
    }

    /** Resamples each of {@code rows} rows from {@code c.inSize()} to {@code c.outSize()} pixels. */
    static void horizontal(int[] src, int rows, int[] dst, Coefficients c) {
        int inWidth = c.inSize();
        int outWidth = c.outSize();
        for (int y = 0; y < rows; y++) {
            int srcRow = y * inWidth;
            int dstRow = y * outWidth;
            for (int x = 0; x < outWidth; x++) {
                int taps = c.count()[x];
                int start = srcRow + c.first()[x];
                int w = x * c.kernelSize();
                int r = HALF;
                int g = HALF;
                int b = HALF;
                for (int j = 0; j < taps; j++) {
                    int p = src[start + j];
                    int weight = c.weights()[w + j];
                    r += ((p >>> 16) & 0xFF) * weight;
                    g += ((p >>> 8) & 0xFF) * weight;
                    b += (p & 0xFF) * weight;
                }
                dst[dstRow + x] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
            }
        }
    }

    /** Resamples each column of a {@code width}-wide image from {@code c.inSize()} to {@code c.outSize()} rows. */
    static void vertical(int[] src, int width, int[] dst, Coefficients c) {
        for (int y = 0; y < c.outSize(); y++) {
            int taps = c.count()[y];
            int start = c.first()[y];
            int w = y * c.kernelSize();
            int dstRow = y * width;
            for (int x = 0; x < width; x++) {
                int r = HALF;
                int g = HALF;
                int b = HALF;
                for (int j = 0; j < taps; j++) {
                    int p = src[(start + j) * width + x];
                    int weight = c.weights()[w + j];
                    r += ((p >>> 16) & 0xFF) * weight;
                    g += ((p >>> 8) & 0xFF) * weight;
                    b += (p & 0xFF) * weight;
                }
                dst[dstRow + x] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
            }
        }
    }

    /** {@code sum >> 22} clamped to a byte; the arithmetic shift floors, the HALF start rounds. */
    private static int clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
