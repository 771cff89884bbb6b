package dev.vstream.memory.cluster;

/** Squared Euclidean distance of flattened feature vectors: float inputs, differences and sums in double. */
public final class SquaredDistance {

    private SquaredDistance() {
    }

    /** sum_i (a[aOffset + i] - b[bOffset + i])^2 over {@code length} values, four independent accumulators. */
    public static double between(float[] a, int aOffset, float[] b, int bOffset, int length) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < length; i += 4) {
            double d0 = (double) a[aOffset + i] - b[bOffset + i];
            double d1 = (double) a[aOffset + i + 1] - b[bOffset + i + 1];
            double d2 = (double) a[aOffset + i + 2] - b[bOffset + i + 2];
            double d3 = (double) a[aOffset + i + 3] - b[bOffset + i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < length; i++) {
            double d = (double) a[aOffset + i] - b[bOffset + i];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }
}
