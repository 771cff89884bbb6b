package dev.vstream.memory.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WeightedKMeansTest {

    @Test
    void aHeavyPointPullsItsCentroid() {
        // two 1-d points in one cluster: the centroid is their weighted mean, the weight their sum
        float[] points = {0f, 10f, 100f};
        double[] weights = {9, 1, 1};
        double[] times = {0, 1, 2};
        WeightedKMeans kmeans = new WeightedKMeans(3, 2, 1, 10);
        float[] centroids = new float[2];
        double[] outWeights = new double[2];
        double[] outTimes = new double[2];
        int[] labels = new int[3];
        kmeans.cluster(points, weights, times, 3, new SplitMix64(1), centroids, outWeights, outTimes, labels);
        assertArrayEquals(new int[] {0, 0, 1}, labels);
        assertEquals(1.0f, centroids[0], 1e-6f);
        assertEquals(100f, centroids[1]);
        assertArrayEquals(new double[] {10, 1}, outWeights);
        assertEquals(0.1, outTimes[0], 1e-12);
        assertEquals(2, outTimes[1]);
    }

    @Test
    void clustersComeOutInTimeOrder() {
        float[] points = {50f, 0f, 51f, 1f};
        double[] weights = {1, 1, 1, 1};
        double[] times = {0, 1, 2, 3};
        WeightedKMeans kmeans = new WeightedKMeans(4, 2, 1, 10);
        float[] centroids = new float[2];
        double[] outTimes = new double[2];
        int[] labels = new int[4];
        kmeans.cluster(points, weights, times, 4, new SplitMix64(3), centroids, new double[2], outTimes, labels);
        assertArrayEquals(new int[] {0, 1, 0, 1}, labels);
        assertEquals(50.5f, centroids[0]);
        assertTrue(outTimes[0] < outTimes[1]);
    }

    @Test
    void duplicatePointsStillFillEveryCluster() {
        // three identical points and one other into three clusters: k-means++ runs out of mass, an empty
        // cluster takes a point, and every cluster ends with a member
        float[] points = {5f, 5f, 5f, 9f};
        double[] weights = {1, 1, 1, 1};
        double[] times = {0, 1, 2, 3};
        WeightedKMeans kmeans = new WeightedKMeans(4, 3, 1, 10);
        double[] outWeights = new double[3];
        int[] labels = new int[4];
        kmeans.cluster(points, weights, times, 4, new SplitMix64(5), new float[3], outWeights, new double[3], labels);
        double total = 0;
        for (double w : outWeights) {
            assertTrue(w >= 1, "every cluster has a member: " + java.util.Arrays.toString(outWeights));
            total += w;
        }
        assertEquals(4, total);
    }

    @Test
    void sameSeedSameResult() {
        SceneStream stream = new SceneStream(2, 2, 8, 4, 0.5, 42);
        int n = 30;
        int dim = 2 * 2 * 8;
        float[] points = new float[n * dim];
        double[] weights = new double[n];
        double[] times = new double[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(stream.next(i % 4).values(), 0, points, i * dim, dim);
            weights[i] = 1 + (i % 3);
            times[i] = i;
        }
        WeightedKMeans kmeans = new WeightedKMeans(n, 5, dim, 10);
        int[] first = new int[n];
        int[] second = new int[n];
        float[] c1 = new float[5 * dim];
        float[] c2 = new float[5 * dim];
        kmeans.cluster(points, weights, times, n, SplitMix64.forUpdate(9, 4), c1, new double[5], new double[5], first);
        kmeans.cluster(points, weights, times, n, SplitMix64.forUpdate(9, 4), c2, new double[5], new double[5], second);
        assertArrayEquals(first, second);
        assertArrayEquals(c1, c2);
    }

    @Test
    void rejectsTooFewPoints() {
        WeightedKMeans kmeans = new WeightedKMeans(4, 3, 1, 10);
        assertThrows(IllegalArgumentException.class, () -> kmeans.cluster(new float[2], new double[2], new double[2],
                2, new SplitMix64(0), new float[3], new double[3], new double[3], new int[2]));
    }

    @Test
    void splitMixMatchesItsPublishedFirstOutputs() {
        // SplitMix64 seeded with 0: the first outputs of the reference implementation (Vigna, splitmix64.c)
        SplitMix64 rng = new SplitMix64(0);
        assertEquals(0xE220A8397B1DCDAFL, rng.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, rng.nextLong());
    }
}
