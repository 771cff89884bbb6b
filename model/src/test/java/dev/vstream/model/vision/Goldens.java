package dev.vstream.model.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.vstream.model.loader.SafetensorsFile;
import dev.vstream.model.testing.GoldenResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Access to the golden files made by reference/vision/make_goldens.py (test resources under
 * {@code vision/}) and the error measure every golden test reports. A missing golden fails the
 * test; it never skips.
 */
public final class Goldens {

    /**
     * Tolerance on {@link Comparison#maxRel()} for fp32 vision features and projector outputs
     * against the float64 reference (PyTorch's own fp32 error there is about 6e-7, see
     * manifest.json).
     */
    public static final double FEATURE_REL_TOLERANCE = 1e-4;

    private Goldens() {
    }

    /** A file or folder under the test resources' {@code vision/} folder. */
    public static Path path(String relative) {
        return GoldenResources.path("vision", relative);
    }

    /** A golden tensor as floats. */
    public static float[] read(String file, String tensor) {
        Path path = path(file);
        assertThat(Files.isRegularFile(path)).isTrue();
        try (SafetensorsFile golden = SafetensorsFile.open(path)) {
            if (!golden.contains(tensor)) {
                fail("golden " + file + " has no tensor " + tensor);
            }
            return golden.tensor(tensor).toFloatArray();
        }
    }

    /**
     * Max abs error {@code max_i |a_i - e_i|} and the relative error, that divided by
     * {@code max_i |e_i|} (normwise, so values near zero do not blow it up).
     */
    public record Comparison(String label, double maxAbs, double maxRel) {

        public Comparison assertRelBelow(double tolerance) {
            assertThat(maxRel).as("%s: max rel error (max abs %.3g)", label, maxAbs).isLessThan(tolerance);
            return this;
        }
    }

    public static Comparison compare(String label, float[] actual, float[] expected) {
        return compare(label, actual, 0, expected);
    }

    /** Compares {@code actual[offset, offset + expected.length)} with {@code expected}; prints the result. */
    public static Comparison compare(String label, float[] actual, int offset, float[] expected) {
        assertThat(actual.length - offset).as(label + ": length").isGreaterThanOrEqualTo(expected.length);
        double maxAbs = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.isFinite(actual[offset + i])).as(label + ": finite at " + i).isTrue();
            maxAbs = Math.max(maxAbs, Math.abs((double) actual[offset + i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        Comparison comparison = new Comparison(label, maxAbs, scale == 0 ? maxAbs : maxAbs / scale);
        System.out.printf(Locale.ROOT, "golden %-40s max abs %.3e  max rel %.3e%n", label, maxAbs, comparison.maxRel());
        return comparison;
    }
}
