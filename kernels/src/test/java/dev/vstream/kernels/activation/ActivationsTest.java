package dev.vstream.kernels.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vstream.kernels.testing.ErrorStats;
import dev.vstream.kernels.testing.Tolerance;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorActivations} against the double-precision {@link ScalarActivations} on ragged
 * lengths, inputs spread over {@code [-12, 12]} (both tails of every curve).
 */
class ActivationsTest {

    /** exp/tanh stubs are a few ulp; the float formulas add a few roundings. */
    static final Tolerance POINTWISE = new Tolerance("POINTWISE", 2e-6, 1e-7);
    /** Abramowitz-Stegun 7.1.26 is 1.5e-7 absolute on erf, so GELU is 0.75e-7 |x| absolute. */
    static final Tolerance GELU_ERF = new Tolerance("GELU_ERF", 4e-7, 1e-7);
    /** Row sums of up to ~3000 exponentials in float. */
    static final Tolerance SOFTMAX = new Tolerance("SOFTMAX", 1e-5, 1e-8);

    private static final long SEED = 0xAC71_2025L;
    private static final int[] LENGTHS = {0, 1, 2, 15, 16, 17, 31, 33, 64, 100, 1000, 3079};

    @Test
    void siluMatchesReference() {
        compare("SiLU", Activations::silu, POINTWISE, false);
    }

    @Test
    void geluTanhMatchesReference() {
        compare("GELU tanh", Activations::geluTanh, POINTWISE, false);
    }

    @Test
    void geluErfMatchesReference() {
        compare("GELU erf", Activations::geluErf, GELU_ERF, true);
    }

    /** Runs {@code op} of both implementations on the same random inputs, trial by trial. */
    private static void compare(String name, Op op, Tolerance tolerance, boolean scaleByInput) {
        long seed = SEED + name.hashCode();
        Random random = new Random(seed);
        ErrorStats all = new ErrorStats(name + " seed " + seed);
        for (int trial = 0; trial < 40; trial++) {
            int length = LENGTHS[random.nextInt(LENGTHS.length)];
            int offset = random.nextInt(3);
            float[] x = new float[offset + length + 1];
            for (int i = 0; i < x.length; i++) {
                x[i] = (random.nextFloat() * 2 - 1) * (random.nextBoolean() ? 12 : 1);
            }
            float[] expected = x.clone();
            float[] actual = x.clone();
            op.apply(new ScalarActivations(), expected, offset, length);
            op.apply(new VectorActivations(), actual, offset, length);
            ErrorStats stats = new ErrorStats(String.format("%s seed %d trial %d: length %d offset %d",
                    name, seed, trial, length, offset));
            for (int i = offset; i < offset + length; i++) {
                double scale = scaleByInput ? Math.abs(x[i]) : Math.abs(expected[i]);
                stats.add(i, actual[i], expected[i], scale, tolerance);
                all.add(i, actual[i], expected[i], scale, tolerance);
            }
            stats.assertWithin(tolerance);
            assertThat(actual[offset + length]).isEqualTo(x[offset + length]);
            assertThat(Arrays.copyOf(actual, offset)).containsExactly(Arrays.copyOf(x, offset));
        }
        System.out.println(all.describe(tolerance));
    }

    @Test
    void softmaxRowsMatchReferenceWithMaskedEntries() {
        Random random = new Random(SEED);
        ErrorStats all = new ErrorStats("softmax seed " + SEED);
        for (int trial = 0; trial < 40; trial++) {
            int cols = Math.max(1, LENGTHS[random.nextInt(LENGTHS.length)]);
            int rows = 1 + random.nextInt(3);
            float[] x = new float[rows * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextInt(8) == 0 ? Float.NEGATIVE_INFINITY : (random.nextFloat() * 2 - 1) * 30;
            }
            for (int r = 0; r < rows; r++) {
                x[r * cols + random.nextInt(cols)] = random.nextFloat(); // at least one finite per row
            }
            float[] expected = x.clone();
            float[] actual = x.clone();
            new ScalarActivations().softmaxRows(expected, 0, rows, cols);
            new VectorActivations().softmaxRows(actual, 0, rows, cols);
            ErrorStats stats = new ErrorStats(String.format("softmax seed %d trial %d: %d x %d", SEED, trial, rows, cols));
            for (int i = 0; i < x.length; i++) {
                stats.add(i, actual[i], expected[i], Math.abs(expected[i]), SOFTMAX);
                all.add(i, actual[i], expected[i], Math.abs(expected[i]), SOFTMAX);
                if (x[i] == Float.NEGATIVE_INFINITY) {
                    assertThat(actual[i]).as("masked entry %d", i).isZero();
                }
            }
            stats.assertWithin(SOFTMAX);
        }
        System.out.println(all.describe(SOFTMAX));
    }

    @Test
    void fullyMaskedRowIsNanAsInPyTorch() {
        float[] x = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 1, 1};
        new VectorActivations().softmaxRows(x, 0, 2, 2);
        assertThat(x[0]).isNaN();
        assertThat(x[2]).isEqualTo(0.5f);
        float[] reference = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        new ScalarActivations().softmaxRows(reference, 0, 1, 2);
        assertThat(reference[0]).isNaN();
    }

    @Test
    void referenceErfMatchesTabulatedValues() {
        // Values of erf from Abramowitz and Stegun, Table 7.1, and its asymptotic range.
        assertThat(ScalarActivations.erf(0)).isZero();
        assertThat(ScalarActivations.erf(0.5)).isCloseTo(0.5204998778130465, within(1e-12));
        assertThat(ScalarActivations.erf(1)).isCloseTo(0.8427007929497149, within(1e-12));
        assertThat(ScalarActivations.erf(-2)).isCloseTo(-0.9953222650189527, within(1e-12));
        assertThat(ScalarActivations.erf(3.5)).isCloseTo(0.9999992569016276, within(1e-9));
        assertThat(ScalarActivations.erf(5)).isCloseTo(0.9999999999984626, within(1e-14));
        assertThat(ScalarActivations.erf(40)).isEqualTo(1);
    }

    @FunctionalInterface
    private interface Op {
        void apply(Activations activations, float[] x, int offset, int length);
    }
}
