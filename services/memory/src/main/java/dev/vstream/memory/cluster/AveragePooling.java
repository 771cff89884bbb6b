package dev.vstream.memory.cluster;

/**
 * Spatial average pooling of a channels-last feature map to a smaller map, each output cell the mean of an equal
 * block of input cells (adaptive average pooling where the input divides evenly: 16x16 to 8x8 for the 2024
 * paper's P_spa, 8x8 to 4x4 for P_tem). The block is summed in double and divided by its size, then rounded
 * once to float, the same value as numpy's float64 mean cast to float32.
 */
public final class AveragePooling {

    private AveragePooling() {
    }

    /** Throws unless a {@code height x width} map pools evenly to {@code grid x grid}. */
    public static void requireDivisible(String what, int height, int width, int grid) {
        requireDivisible(what, height, width, grid, grid);
    }

    /** Throws unless a {@code height x width} map pools evenly to {@code outHeight x outWidth}. */
    public static void requireDivisible(String what, int height, int width, int outHeight, int outWidth) {
        if (outHeight < 1 || outWidth < 1 || height % outHeight != 0 || width % outWidth != 0) {
            throw new IllegalArgumentException(what + ": " + height + "x" + width + " does not pool evenly to "
                    + outHeight + "x" + outWidth);
        }
    }

    /**
     * @param in   (height, width, channels) starting at {@code inOffset}
     * @param out  (grid, grid, channels) starting at {@code outOffset}, overwritten
     */
    public static void pool(float[] in, int inOffset, int height, int width, int channels, int grid,
                            float[] out, int outOffset) {
        pool(in, inOffset, height, width, channels, grid, grid, out, outOffset);
    }

    /**
     * @param in   (height, width, channels) starting at {@code inOffset}
     * @param out  (outHeight, outWidth, channels) starting at {@code outOffset}, overwritten
     */
    public static void pool(float[] in, int inOffset, int height, int width, int channels, int outHeight,
                            int outWidth, float[] out, int outOffset) {
        int blockRows = height / outHeight;
        int blockCols = width / outWidth;
        double count = blockRows * blockCols;
        for (int outRow = 0; outRow < outHeight; outRow++) {
            for (int outCol = 0; outCol < outWidth; outCol++) {
                int dst = outOffset + (outRow * outWidth + outCol) * channels;
                for (int c = 0; c < channels; c++) {
                    double sum = 0;
                    for (int row = outRow * blockRows; row < (outRow + 1) * blockRows; row++) {
                        int src = inOffset + (row * width + outCol * blockCols) * channels + c;
                        for (int col = 0; col < blockCols; col++) {
                            sum += in[src + col * channels];
                        }
                    }
                    out[dst + c] = (float) (sum / count);
                }
            }
        }
    }
}
