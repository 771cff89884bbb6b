package dev.vstream.model.nemotron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.model.loader.SafetensorsFile;
import dev.vstream.model.testing.GoldenResources;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The tiny Nemotron-Flash checkpoint and goldens of reference/nemotron/make_goldens.py (test
 * resources under {@code nemotron/}), the kernels the tests run on, and the error measure every
 * golden test reports. A missing golden fails the test; it never skips.
 */
final class FlashGoldens {

    /**
     * Tolerance on the max relative error of fp32 logits against the float64 reference
     * (PyTorch's own fp32 error on the same model is about 5e-7, see goldens/manifest.json).
     */
    static final double LOGITS_REL_TOLERANCE = 1e-4;

    /** The checkpoint with the per-operator goldens; {@code flash_tiny_variant} has logits only. */
    static final String TINY = "flash_tiny";

    /**
     * Tolerance on the max relative error of one operator's output stream against the float64
     * reference (observed: below 1e-6).
     */
    static final double OPERATOR_REL_TOLERANCE = 1e-5;

    private static final ComputePool POOL = new ComputePool(2);
    static final CpuKernels VECTOR = CpuKernels.select(CpuKernels.Choice.AUTO, CpuFeatures.detect(), POOL);
    static final CpuKernels SCALAR = CpuKernels.select(CpuKernels.Choice.SCALAR, CpuFeatures.detect(), POOL);

    private FlashGoldens() {
    }

    static CpuKernels kernels(String name) {
        return GoldenResources.kernels(name, VECTOR, SCALAR);
    }

    /** A file or folder under the test resources' {@code nemotron/} folder. */
    static Path path(String relative) {
        return GoldenResources.path("nemotron", relative);
    }

    /** A golden of {@link #TINY}. */
    static float[] read(String tensor) {
        return read(TINY, tensor);
    }

    /** A golden tensor of {@code checkpoint} (a folder name under {@code nemotron/}). */
    static float[] read(String checkpoint, String tensor) {
        String file = "goldens/" + checkpoint + ".safetensors";
        try (SafetensorsFile golden = SafetensorsFile.open(path(file))) {
            if (!golden.contains(tensor)) {
                fail("golden " + file + " has no tensor " + tensor);
            }
            return golden.tensor(tensor).toFloatArray();
        }
    }

    /** The golden prompt (the same for every checkpoint). */
    static int[] inputIds() {
        float[] ids = read("input_ids");
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /** Max abs error and the max rel error (max abs divided by {@code max |expected|}). */
    record Comparison(String label, double maxAbs, double maxRel) {

        Comparison assertRelBelow(double tolerance) {
            assertThat(maxRel).as("%s: max rel error (max abs %.3g)", label, maxAbs).isLessThan(tolerance);
            return this;
        }
    }

    /** Compares {@code actual[offset, offset + length)} with {@code expected[expectedOffset, ..)}; prints the result. */
    static Comparison compare(String label, float[] actual, int offset, float[] expected, int expectedOffset, int length) {
        double maxAbs = 0;
        double scale = 0;
        for (int i = 0; i < length; i++) {
            float a = actual[offset + i];
            assertThat(Float.isFinite(a)).as(label + ": finite at " + i).isTrue();
            maxAbs = Math.max(maxAbs, Math.abs((double) a - expected[expectedOffset + i]));
            scale = Math.max(scale, Math.abs(expected[expectedOffset + i]));
        }
        Comparison comparison = new Comparison(label, maxAbs, scale == 0 ? maxAbs : maxAbs / scale);
        System.out.printf(Locale.ROOT, "golden %-48s max abs %.3e  max rel %.3e%n", label, maxAbs, comparison.maxRel());
        return comparison;
    }

    static Comparison compare(String label, float[] actual, float[] expected) {
        assertThat(actual.length).as(label + ": length").isEqualTo(expected.length);
        return compare(label, actual, 0, expected, 0, expected.length);
    }
}
