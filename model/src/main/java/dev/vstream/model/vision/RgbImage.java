package dev.vstream.model.vision;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.Objects;

/**
 * An 8-bit RGB image: {@code pixels[y * width + x] = 0xRRGGBB} (bits above 23, e.g. an alpha
 * byte from {@link BufferedImage#getRGB}, are ignored: frames are opaque). The array is used as
 * given, not copied, so a decoder can hand over its buffer without a copy per frame; it must
 * not change while a preprocessor reads it.
 */
public record RgbImage(int width, int height, int[] pixels) {

    public RgbImage {
        Objects.requireNonNull(pixels, "pixels");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (pixels.length != (long) width * height) {
            throw new IllegalArgumentException(pixels.length + " pixels for a " + width + "x" + height + " image");
        }
    }

    /**
     * The image's sRGB values. 8-bit grayscale is read from the raster and replicated into the
     * three channels, as Pillow's {@code convert("RGB")} does; {@code getRGB} would apply the
     * linear-gray color space's gamma.
     */
    public static RgbImage of(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] pixels = new int[width * height];
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            Raster raster = image.getRaster();
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, 0, row);
                for (int x = 0; x < width; x++) {
                    int v = row[x] & 0xFF;
                    pixels[y * width + x] = (v << 16) | (v << 8) | v;
                }
            }
        } else {
            image.getRGB(0, 0, width, height, pixels, 0, width);
        }
        return new RgbImage(width, height, pixels);
    }

    /** Channel {@code c} (0 = red, 1 = green, 2 = blue) of pixel {@code (x, y)}, 0..255. */
    public int channel(int x, int y, int c) {
        return (pixels[y * width + x] >>> (16 - 8 * c)) & 0xFF;
    }
}
