package dev.vstream.model.lm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.kernels.sparse.HeadConfig;
import dev.vstream.kernels.sparse.PatternConfig;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** What the sparse prefill tests of both hybrid LMs check and build their inputs with. */
public final class SparsePrefillChecks {

    /** "The same computation": two runs may differ in the last bits (JIT-dependent vector reductions). */
    public static final double SAME = 1e-6;

    private SparsePrefillChecks() {
    }

    /** {@code count} token ids uniform in {@code [0, vocab)}, seeded. */
    public static int[] randomTokens(int count, int vocab, long seed) {
        Random random = new Random(seed);
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = random.nextInt(vocab);
        }
        return tokens;
    }

    /** One attention layer whose every head has the pattern {@code head}. */
    public static PatternConfig uniform(HeadConfig head, int heads) {
        return new PatternConfig(List.of(Collections.nCopies(heads, head)));
    }

    /** Max |actual - expected| over the first {@code length} values, relative to max |expected|; all finite. */
    public static double maxRel(float[] actual, float[] expected, int length) {
        double abs = 0;
        double scale = 0;
        for (int i = 0; i < length; i++) {
            assertThat(Float.isFinite(actual[i])).isTrue();
            abs = Math.max(abs, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return abs / scale;
    }

    /**
     * Same positions, same keys and values up to the last-bit noise of the JIT (the Vector API reductions round
     * differently interpreted and compiled, so even two dense runs of one model can differ in the last bit).
     */
    public static void assertSameCache(KvCache actual, KvCache expected, String what) {
        assertThat(actual.length()).isEqualTo(expected.length());
        int floats = expected.length() * expected.kvDim();
        double keys = maxRel(actual.keys(), expected.keys(), floats);
        double values = maxRel(actual.values(), expected.values(), floats);
        System.out.printf(Locale.ROOT, "%s after sparse vs dense prefill (%d positions): keys max rel %.3e, values "
                + "max rel %.3e%n", what, expected.length(), keys, values);
        assertThat(keys).as("keys").isLessThan(SAME);
        assertThat(values).as("values").isLessThan(SAME);
    }

    /** Residual rows: noise for text; for video, a patch embedding of (t mod frame) plus a little noise. */
    public static float[] videoLikeStream(int rows, int hidden, int videoStart, int frame, long seed) {
        Random random = new Random(seed);
        float[][] patch = new float[frame][hidden];
        for (float[] p : patch) {
            for (int i = 0; i < hidden; i++) {
                p[i] = (float) random.nextGaussian();
            }
        }
        float[] x = new float[rows * hidden];
        for (int t = 0; t < rows; t++) {
            boolean video = t >= videoStart && t < rows - 25;
            for (int i = 0; i < hidden; i++) {
                double noise = random.nextGaussian();
                x[t * hidden + i] = (float) (video ? patch[(t - videoStart) % frame][i] + 0.2 * noise : noise);
            }
        }
        return x;
    }
}
