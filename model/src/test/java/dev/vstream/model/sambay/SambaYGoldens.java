package dev.vstream.model.sambay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.SafetensorsFile;
import dev.vstream.model.testing.GoldenResources;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The golden files of reference/sambay/make_goldens.py (test resources under {@code sambay/}),
 * the kernels the tests run on, and the error measure every golden comparison reports. A
 * missing golden fails; it never skips.
 */
final class SambaYGoldens {

    /**
     * Tolerance on the max relative error (max abs error over max |expected|) of fp32 logits
     * against the float64 reference; PyTorch's own fp32 forward is about 1e-6 off (manifest.json).
     */
    static final double LOGITS_REL_TOLERANCE = 1e-4;
    static final String GOLDENS = "goldens/sambay_tiny.safetensors";

    static final CpuKernels VECTOR = CpuKernels.select(CpuKernels.Choice.AUTO, CpuFeatures.detect(), new ComputePool(2));
    static final CpuKernels SCALAR = CpuKernels.select(CpuKernels.Choice.SCALAR, CpuFeatures.detect(), new ComputePool(1));

    private SambaYGoldens() {
    }

    static CpuKernels kernels(String name) {
        return GoldenResources.kernels(name, VECTOR, SCALAR);
    }

    static Path path(String relative) {
        return GoldenResources.path("sambay", relative);
    }

    static float[] read(String tensor) {
        try (SafetensorsFile golden = SafetensorsFile.open(path(GOLDENS))) {
            if (!golden.contains(tensor)) {
                fail("golden " + GOLDENS + " has no tensor " + tensor);
            }
            return golden.tensor(tensor).toFloatArray();
        }
    }

    static int[] tokens(String sequence) {
        float[] ids = read(sequence + ".input_ids");
        int[] tokens = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            tokens[i] = (int) ids[i];
            assertThat((float) tokens[i]).isEqualTo(ids[i]);
        }
        return tokens;
    }

    /** The tiny checkpoint, opened; the model reads its weights in place. */
    static Checkpoint checkpoint() {
        return Checkpoint.open(path("sambay_tiny"));
    }

    record Comparison(String label, double maxAbs, double maxRel) {
        Comparison assertRelBelow(double tolerance) {
            assertThat(maxRel).as("%s: max rel error (max abs %.3g)", label, maxAbs).isLessThan(tolerance);
            return this;
        }
    }

    /** Compares {@code actual[offset, offset + expected.length)} with {@code expected}; prints the result. */
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
        return compare(label, actual, 0, expected, 0, expected.length);
    }
}
