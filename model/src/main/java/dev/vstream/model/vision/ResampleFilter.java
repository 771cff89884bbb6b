package dev.vstream.model.vision;

import dev.vstream.model.loader.ModelLoadException;

/**
 * The resampling filters of Pillow that vision processors use, with Pillow's numbering (the
 * {@code resample} value of a preprocessor_config.json) and support radius at scale 1.
 */
public enum ResampleFilter {
    /** Triangle filter {@code max(0, 1 - |x|)}, support 1; Pillow's {@code BILINEAR = 2}. */
    BILINEAR(2, 1.0),
    /**
     * Keys' cubic convolution with {@code a = -0.5}, support 2; Pillow's {@code BICUBIC = 3}:
     * {@code ((a+2)|x| - (a+3)) x^2 + 1} for {@code |x| < 1},
     * {@code a (|x|^3 - 5|x|^2 + 8|x| - 4)} for {@code 1 <= |x| < 2}, else 0.
     */
    BICUBIC(3, 2.0);

    private static final double A = -0.5;

    private final int pillowCode;
    private final double support;

    ResampleFilter(int pillowCode, double support) {
        this.pillowCode = pillowCode;
        this.support = support;
    }

    public int pillowCode() {
        return pillowCode;
    }

    /** Half-width of the filter at scale 1; widened by the scale factor when downscaling. */
    double support() {
        return support;
    }

    /** The filter's weight at distance x, evaluated as Pillow does, in double. */
    double weight(double x) {
        double t = Math.abs(x);
        return switch (this) {
            case BILINEAR -> t < 1.0 ? 1.0 - t : 0.0;
            case BICUBIC -> {
                if (t < 1.0) {
                    yield ((A + 2.0) * t - (A + 3.0)) * t * t + 1;
                }
                yield t < 2.0 ? (((t - 5) * t + 8) * t - 4) * A : 0.0;
            }
        };
    }

    /** The filter for a Pillow resample code; {@code source} names the config in the error. */
    public static ResampleFilter ofPillowCode(int code, String source) {
        for (ResampleFilter filter : values()) {
            if (filter.pillowCode == code) {
                return filter;
            }
        }
        throw new ModelLoadException(source + ": resample " + code
                + " is not supported (2 = bilinear and 3 = bicubic are)");
    }
}
