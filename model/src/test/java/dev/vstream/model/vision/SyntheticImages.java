package dev.vstream.model.vision;

import java.util.List;
import java.util.zip.CRC32;

/**
 * The synthetic input images of reference/vision/make_goldens.py, regenerated from the same
 * integer formulas (ramps, a disk, stripes, a block of hashed noise), so no input image is
 * stored. The CRC32 of each image's RGB bytes is in goldens/manifest.json and checked by
 * {@code ImagePreprocessorTest}, so a drift between the two generators shows up as such.
 */
final class SyntheticImages {

    /** (width, height, seed, crc32) as in make_goldens.py's IMAGES and manifest.json. */
    record Spec(int width, int height, int seed, long crc32) {}

    static final List<Spec> SPECS = List.of(
            new Spec(333, 250, 1, 2964751470L),
            new Spec(97, 131, 2, 891210593L),
            new Spec(640, 360, 3, 4196601725L),
            new Spec(224, 300, 4, 2698091284L));

    /** CRC32 of the 16x16 levels image in manifest.json. */
    static final long LEVELS_CRC32 = 1340804202L;

    private SyntheticImages() {
    }

    static List<RgbImage> all() {
        return SPECS.stream().map(s -> image(s.width(), s.height(), s.seed())).toList();
    }

    static RgbImage image(int width, int height, int seed) {
        int[] pixels = new int[width * height];
        int cx = width / 3;
        int cy = height / 2;
        int radius = Math.min(width, height) / 4;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                long r = (long) x * 255 / Math.max(width - 1, 1);
                long g = (long) y * 255 / Math.max(height - 1, 1);
                long b = ((long) x * 3 + (long) y * 5 + seed * 40L) % 256;
                long h = ((x * 73856093L) ^ (y * 19349663L) ^ (seed * 83492791L)) & 0xFFFFFFFFL;
                h = (h * 2654435761L) & 0xFFFFFFFFL;
                if (x >= width / 2 && y < height / 3) {
                    b = (h >>> 24) & 0xFF;
                }
                long dx = x - cx;
                long dy = y - cy;
                if (dx * dx + dy * dy < (long) radius * radius) {
                    r = 255 - r;
                    g = 40;
                }
                if ((x / 7) % 2 == 0 && y > (2 * height) / 3) {
                    g = 255;
                }
                pixels[y * width + x] = (int) ((r << 16) | (g << 8) | b);
            }
        }
        return new RgbImage(width, height, pixels);
    }

    /** 16x16, pixel i = y * 16 + x has (i, 255 - i, 7i mod 256): every level in every channel. */
    static RgbImage levels() {
        int[] pixels = new int[256];
        for (int i = 0; i < 256; i++) {
            pixels[i] = (i << 16) | ((255 - i) << 8) | ((i * 7) % 256);
        }
        return new RgbImage(16, 16, pixels);
    }

    /** CRC32 of the interleaved RGB bytes, as zlib.crc32(array.tobytes()) in Python. */
    static long crc32(RgbImage image) {
        byte[] bytes = new byte[image.pixels().length * 3];
        for (int i = 0; i < image.pixels().length; i++) {
            int p = image.pixels()[i];
            bytes[3 * i] = (byte) (p >>> 16);
            bytes[3 * i + 1] = (byte) (p >>> 8);
            bytes[3 * i + 2] = (byte) p;
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
