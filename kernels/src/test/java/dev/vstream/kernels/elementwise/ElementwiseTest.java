package dev.vstream.kernels.elementwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.testing.TestTensors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** One IEEE operation per element: the vector kernels must equal the reference bit for bit. */
class ElementwiseTest {

    private static final long SEED = 0xE1E7_2025L;
    private static final int[] LENGTHS = {0, 1, 15, 16, 17, 31, 32, 33, 100, 4099};

    @Test
    void addAndMulEqualTheReferenceExactly() {
        Random random = new Random(SEED);
        for (int trial = 0; trial < 40; trial++) {
            int length = LENGTHS[random.nextInt(LENGTHS.length)];
            int dstOffset = random.nextInt(3);
            int srcOffset = random.nextInt(3);
            float[] dst = TestTensors.uniform(random, dstOffset + length + 1);
            float[] src = TestTensors.uniform(random, srcOffset + length);
            boolean add = random.nextBoolean();
            float[] expected = dst.clone();
            float[] actual = dst.clone();
            if (add) {
                new ScalarElementwise().add(expected, dstOffset, src, srcOffset, length);
                new VectorElementwise().add(actual, dstOffset, src, srcOffset, length);
            } else {
                new ScalarElementwise().mul(expected, dstOffset, src, srcOffset, length);
                new VectorElementwise().mul(actual, dstOffset, src, srcOffset, length);
            }
            assertThat(actual).as("seed %d trial %d: %s of %d floats, offsets %d/%d", SEED, trial,
                    add ? "add" : "mul", length, dstOffset, srcOffset).containsExactly(expected);
        }
    }

    @Test
    void sameArraySameOffsetDoublesOrSquares() {
        float[] x = {1, 2, 3, -4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
        new VectorElementwise().add(x, 0, x, 0, x.length);
        assertThat(x[3]).isEqualTo(-8f);
        assertThat(x[16]).isEqualTo(34f);
        new VectorElementwise().mul(x, 1, x, 1, 2);
        assertThat(x).startsWith(2f, 16f, 36f, -8f);
    }

    @Test
    void rejectsPartialOverlapAndShortArrays() {
        float[] x = new float[40];
        assertThatThrownBy(() -> new VectorElementwise().add(x, 0, x, 1, 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> new ScalarElementwise().mul(x, 30, new float[40], 0, 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dst needs 20");
    }
}
