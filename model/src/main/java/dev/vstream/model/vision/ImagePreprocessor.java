package dev.vstream.model.vision;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Turns RGB frames into the model's {@code pixel_values}, matching the Hugging Face
 * PIL-backend processors ({@code CLIPImageProcessor} of transformers 4, {@code
 * CLIPImageProcessorPil} / {@code SiglipImageProcessorPil} of transformers 5) value for value:
 * Pillow's resize ({@link PilResampler}), the center crop at
 * {@code top = trunc((h - cropH) / 2)}, {@code left = trunc((w - cropW) / 2)}, then per channel
 * {@code float32(x * rescale)} and {@code (x - float32(mean)) / float32(std)} in float32, which
 * depend only on the byte value and so are read from a 256-entry table per channel.
 *
 * <p>Output layout {@code (3, outputHeight, outputWidth)} per image. Resampling weights and
 * buffers are kept between calls and reused while frames keep their size, so a stream of
 * same-sized frames allocates nothing. Not thread-safe: one instance per thread.
 */
public final class ImagePreprocessor {

    private final PreprocessorConfig config;
    private final float[][] table = new float[3][256]; // (channel, byte value) -> output value
    private PilResampler.Coefficients horizontal;
    private PilResampler.Coefficients vertical;
    private int[] rowsResized = new int[0]; // (srcHeight, outWidth) after the horizontal pass
    private int[] resized = new int[0];     // (outHeight, outWidth)

    public ImagePreprocessor(PreprocessorConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        double[] mean = config.mean();
        double[] std = config.std();
        for (int c = 0; c < 3; c++) {
            float m = (float) mean[c];
            float s = (float) std[c];
            for (int v = 0; v < 256; v++) {
                float x = config.doRescale() ? (float) (v * config.rescaleFactor()) : v;
                table[c][v] = config.doNormalize() ? (x - m) / s : x;
            }
        }
    }

    public PreprocessorConfig config() {
        return config;
    }

    /** Floats per processed image: {@code 3 * outputHeight * outputWidth}. */
    public int outputSize() {
        return 3 * config.outputHeight() * config.outputWidth();
    }

    /** Processes one frame into {@code out[offset, offset + outputSize())}. */
    public void preprocess(RgbImage image, float[] out, int offset) {
        Objects.checkFromIndexSize(offset, outputSize(), out.length);
        int[] pixels = image.pixels();
        int width = image.width();
        int height = image.height();
        if (config.doResize()) {
            int[] size = resizedSize(width, height);
            pixels = resize(image, size[0], size[1]);
            width = size[0];
            height = size[1];
        }
        int outHeight = config.outputHeight();
        int outWidth = config.outputWidth();
        if (height < outHeight || width < outWidth) {
            throw new IllegalArgumentException("image of " + width + "x" + height + " is smaller than the "
                    + outWidth + "x" + outHeight + " crop (padding is not supported)");
        }
        int top = (height - outHeight) / 2;
        int left = (width - outWidth) / 2;
        int plane = outHeight * outWidth;
        for (int y = 0; y < outHeight; y++) {
            int src = (top + y) * width + left;
            int dst = offset + y * outWidth;
            for (int x = 0; x < outWidth; x++) {
                int p = pixels[src + x];
                out[dst + x] = table[0][(p >>> 16) & 0xFF];
                out[dst + plane + x] = table[1][(p >>> 8) & 0xFF];
                out[dst + 2 * plane + x] = table[2][p & 0xFF];
            }
        }
    }

    /** {@link #preprocess(RgbImage, float[], int)} for a decoded AWT image. */
    public void preprocess(BufferedImage image, float[] out, int offset) {
        preprocess(RgbImage.of(image), out, offset);
    }

    /** A batch {@code (frames, 3, outputHeight, outputWidth)} in a new array. */
    public float[] preprocess(List<RgbImage> frames) {
        float[] out = new float[Math.multiplyExact(frames.size(), outputSize())];
        for (int i = 0; i < frames.size(); i++) {
            preprocess(frames.get(i), out, i * outputSize());
        }
        return out;
    }

    /**
     * The resized image before crop and normalization (a new image): the uint8 stage, which
     * tests compare with Pillow's output.
     */
    public RgbImage resizeOnly(RgbImage image) {
        int[] size = resizedSize(image.width(), image.height());
        int[] pixels = resize(image, size[0], size[1]);
        return new RgbImage(size[0], size[1], Arrays.copyOf(pixels, size[0] * size[1]));
    }

    /**
     * {width, height} after the resize step: with a shortest edge S the short side becomes S and
     * the long side {@code trunc(S * long / short)}, computed in double like Python's
     * {@code int(S * long / short)}.
     */
    int[] resizedSize(int width, int height) {
        if (config.shortestEdge() == 0) {
            return new int[] {config.resizeWidth(), config.resizeHeight()};
        }
        int s = config.shortestEdge();
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        int newLong = (int) ((double) s * longSide / shortSide);
        return width <= height ? new int[] {s, newLong} : new int[] {newLong, s};
    }

    /**
     * Pillow's two passes, horizontal first, each skipped when its side keeps its size; returns
     * the source pixels when neither runs (Pillow returns a copy).
     */
    private int[] resize(RgbImage image, int outWidth, int outHeight) {
        int inWidth = image.width();
        int inHeight = image.height();
        boolean needHorizontal = outWidth != inWidth;
        boolean needVertical = outHeight != inHeight;
        int[] pixels = image.pixels();
        if (needHorizontal) {
            horizontal = coefficients(horizontal, inWidth, outWidth);
            rowsResized = ensure(rowsResized, outWidth * inHeight);
            PilResampler.horizontal(pixels, inHeight, rowsResized, horizontal);
            pixels = rowsResized;
        }
        if (needVertical) {
            vertical = coefficients(vertical, inHeight, outHeight);
            resized = ensure(resized, outWidth * outHeight);
            PilResampler.vertical(pixels, outWidth, resized, vertical);
            pixels = resized;
        }
        return pixels;
    }

    private PilResampler.Coefficients coefficients(PilResampler.Coefficients cached, int in, int out) {
        return cached != null && cached.inSize() == in && cached.outSize() == out ? cached
                : PilResampler.coefficients(in, out, config.resample());
    }

    private static int[] ensure(int[] buffer, int size) {
        return buffer.length >= size ? buffer : new int[size];
    }
}
