package dev.vstream.memory.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SquaredDistanceTest {

    @Test
    void matchesTheDoubleReferenceOnRaggedLengths() {
        long seed = 31;
        SplittableRandom random = new SplittableRandom(seed);
        for (int length : new int[] {1, 3, 4, 5, 511, 512, 513, 1027, 16384}) {
            float[] a = new float[length + 3];
            float[] b = new float[length + 5];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) random.nextGaussian();
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) random.nextGaussian();
            }
            double reference = 0;
            for (int i = 0; i < length; i++) {
                double d = (double) a[3 + i] - b[5 + i];
                reference += d * d;
            }
            double full = SquaredDistance.between(a, 3, b, 5, length);
            assertEquals(reference, full, 1e-12 * reference, "length " + length + ", seed " + seed);
            assertEquals(full, SquaredDistance.between(b, 5, a, 3, length), "symmetric bit for bit");
        }
    }
}
