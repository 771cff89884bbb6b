package dev.vstream.memory.cluster;

import java.util.Arrays;

/**
 * Weighted K-means (Flash-VStream 2024, Algorithm 1; the 2025 context synopsis memory runs the same), with a
 * preallocated workspace so that an update allocates nothing.
 *
 * <p>Objective: minimise sum_i w_i ||x_i - c_{a(i)}||^2. Centroids are weighted means of their members,
 * c_k = sum_{a(i)=k} w_i x_i / W_k with W_k = sum_{a(i)=k} w_i, and W_k is returned as the cluster weight so that
 * the next update can carry it (the original streaming code drops it and re-clusters with uniform weights).
 *
 * <p>Determinism: initialisation is weighted k-means++ (Arthur and Vassilvitskii 2007, with each point's
 * probability scaled by its weight) drawn from a {@link SplitMix64}; the first centre is drawn with probability
 * proportional to w_i, each further one proportional to w_i D_i^2, where D_i is the distance to the nearest chosen
 * centre; if every remaining w_i D_i^2 is zero, the lowest-index unchosen point is taken. Assignment ties go to
 * the lowest cluster index. A cluster left empty takes the point farthest from its own centroid among clusters
 * with two or more members (ties: lowest point index), instead of the original's random re-seed. Iteration
 * stops when the assignment repeats or after {@code maxIterations} (the original's tolerance on centroid shift
 * is replaced by this exact test, so both implementations stop at the same step). Centroids are stored in
 * float32 after every update, sums are in double.
 *
 * <p>A one-member cluster's centroid is its member (a copy, not a weighted mean), so its distances are looked up
 * in the n x n matrix of point distances computed once per call, which also serves the k-means++ draws. In
 * the streaming use (n = K + 1 points into K clusters) nearly every cluster is a singleton, so a pass computes
 * distances to the few merged centroids only. {@link #carryDistances} keeps the distances between one-member
 * clusters for the next call, so a streaming update computes the distances of the new frame and of the merged
 * centroids only: O(K d) instead of O(K^2 d).
 *
 * <p>Finally clusters are ordered by their weighted mean member time (ties: cluster index), the "ordered" of
 * the 2025 {@code kmeans_ordered}; labels are renumbered to that order.
 */
public final class WeightedKMeans {

    private final int maxPoints;
    private final int clusters;
    private final int dimension;
    private final int maxIterations;

    private final float[] centroids;      // (clusters, dimension)
    private final double[] pairwise;      // (maxPoints, maxPoints) squared distances between points
    private final double[] carried;       // (maxPoints, maxPoints) scratch of carryDistances
    private final boolean[] allStale;     // (maxPoints) true: no distance is known
    private final int[] member;           // (clusters) the point a centroid is a copy of, or -1
    private final double[] sums;          // (dimension) accumulator of one centroid
    private final double[] nearest;       // (maxPoints) D_i^2 for k-means++, then distance to own centroid
    private final double[] clusterWeight; // (clusters)
    private final double[] clusterTime;   // (clusters)
    private final int[] counts;           // (clusters)
    private final int[] labels;           // (maxPoints)
    private final int[] previous;         // (maxPoints)
    private final boolean[] chosen;       // (maxPoints)
    private final int[] order;            // (clusters) cluster indices in time order
    private final int[] rank;             // (clusters) old cluster index -> position in time order

    public WeightedKMeans(int maxPoints, int clusters, int dimension, int maxIterations) {
        if (clusters < 1 || maxPoints < clusters || dimension < 1 || maxIterations < 1) {
            throw new IllegalArgumentException("weighted k-means needs 1 <= clusters <= maxPoints, dimension >= 1 "
                    + "and maxIterations >= 1, got clusters=" + clusters + " maxPoints=" + maxPoints
                    + " dimension=" + dimension + " maxIterations=" + maxIterations);
        }
        this.maxPoints = maxPoints;
        this.clusters = clusters;
        this.dimension = dimension;
        this.maxIterations = maxIterations;
        this.centroids = new float[clusters * dimension];
        this.pairwise = new double[maxPoints * maxPoints];
        this.carried = new double[maxPoints * maxPoints];
        this.allStale = new boolean[maxPoints];
        Arrays.fill(allStale, true);
        this.member = new int[clusters];
        this.sums = new double[dimension];
        this.nearest = new double[maxPoints];
        this.clusterWeight = new double[clusters];
        this.clusterTime = new double[clusters];
        this.counts = new int[clusters];
        this.labels = new int[maxPoints];
        this.previous = new int[maxPoints];
        this.chosen = new boolean[maxPoints];
        this.order = new int[clusters];
        this.rank = new int[clusters];
    }

    public int clusters() {
        return clusters;
    }

    public int dimension() {
        return dimension;
    }

    /**
     * Clusters {@code n} points into {@link #clusters()} clusters.
     *
     * @param points        (n, dimension) flattened features
     * @param weights       (n) positive point weights
     * @param times         (n) point times (any unit); the cluster time is their weighted mean
     * @param rng           generator of the k-means++ draws
     * @param centroidsOut  (clusters, dimension) in time order
     * @param weightsOut    (clusters) summed member weights, in time order
     * @param timesOut      (clusters) weighted mean member times, ascending
     * @param labelsOut     (n) cluster of each point, in time order
     * @return the number of assignment passes run
     */
    public int cluster(float[] points, double[] weights, double[] times, int n, SplitMix64 rng,
                       float[] centroidsOut, double[] weightsOut, double[] timesOut, int[] labelsOut) {
        return cluster(points, weights, times, n, allStale, rng, centroidsOut, weightsOut, timesOut, labelsOut);
    }

    /**
     * As {@link #cluster(float[], double[], double[], int, SplitMix64, float[], double[], double[], int[])}, reusing
     * the distances between points that are not {@code stale}, as left by {@link #carryDistances}.
     *
     * @param stale (n) true for points whose distances must be computed
     */
    public int cluster(float[] points, double[] weights, double[] times, int n, boolean[] stale, SplitMix64 rng,
                       float[] centroidsOut, double[] weightsOut, double[] timesOut, int[] labelsOut) {
        if (n < clusters || n > maxPoints) {
            throw new IllegalArgumentException("k-means over " + n + " points into " + clusters
                    + " clusters (workspace holds " + maxPoints + ")");
        }
        computePairwise(points, n, stale);
        initialise(points, weights, n, rng);
        int passes = 0;
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            assign(points, n);
            fillEmptyClusters(points, n);
            passes++;
            if (iteration > 0 && Arrays.equals(labels, 0, n, previous, 0, n)) {
                break;
            }
            updateCentroids(points, weights, n);
            System.arraycopy(labels, 0, previous, 0, n);
        }
        summarise(weights, times, n);
        writeInTimeOrder(n, centroidsOut, weightsOut, timesOut, labelsOut);
        return passes;
    }

    private void computePairwise(float[] points, int n, boolean[] stale) {
        for (int i = 0; i < n; i++) {
            pairwise[i * maxPoints + i] = 0;
            for (int j = i + 1; j < n; j++) {
                if (stale[i] || stale[j]) {
                    double d = SquaredDistance.between(points, i * dimension, points, j * dimension, dimension);
                    pairwise[i * maxPoints + j] = d;
                    pairwise[j * maxPoints + i] = d;
                }
            }
        }
    }

    /**
     * After {@link #cluster}: prepares the distance matrix for a next call whose first {@link #clusters()} points
     * are this call's centroids in time order. Distances between one-member clusters (copies of points) are
     * kept; {@code staleOut[k]} is set for the centroids that are means of several points, and for every index
     * from {@code clusters} on.
     */
    public void carryDistances(boolean[] staleOut) {
        for (int a = 0; a < clusters; a++) {
            int sa = sourcePoint(a);
            for (int b = 0; b < clusters; b++) {
                int sb = sourcePoint(b);
                carried[a * maxPoints + b] = sa >= 0 && sb >= 0 ? pairwise[sa * maxPoints + sb] : 0;
            }
        }
        System.arraycopy(carried, 0, pairwise, 0, clusters * maxPoints);
        for (int a = 0; a < staleOut.length; a++) {
            staleOut[a] = a >= clusters || sourcePoint(a) < 0;
        }
    }

    /** After {@link #cluster}: the input point that the centroid at time-ordered {@code position} copies, or -1. */
    public int sourcePoint(int position) {
        int k = order[position];
        return counts[k] == 1 ? member[k] : -1;
    }

    private void initialise(float[] points, double[] weights, int n, SplitMix64 rng) {
        Arrays.fill(chosen, 0, n, false);
        int first = draw(weights, null, n, rng);
        copyPoint(points, first, 0);
        for (int i = 0; i < n; i++) {
            nearest[i] = pairwise[first * maxPoints + i];
        }
        for (int k = 1; k < clusters; k++) {
            int next = draw(weights, nearest, n, rng);
            copyPoint(points, next, k);
            for (int i = 0; i < n; i++) {
                double d = pairwise[next * maxPoints + i];
                if (d < nearest[i]) {
                    nearest[i] = d;
                }
            }
        }
    }

    /** One index drawn with probability proportional to w_i (times D_i^2 when given) among unchosen points. */
    private int draw(double[] weights, double[] squaredDistances, int n, SplitMix64 rng) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (!chosen[i]) {
                total += mass(weights, squaredDistances, i);
            }
        }
        double u = rng.nextDouble();
        int pick = -1;
        if (total > 0) {
            double threshold = u * total;
            double cumulative = 0;
            for (int i = 0; i < n; i++) {
                if (chosen[i]) {
                    continue;
                }
                double m = mass(weights, squaredDistances, i);
                cumulative += m;
                if (m > 0) {
                    pick = i;
                    if (cumulative > threshold) {
                        break;
                    }
                }
            }
        }
        if (pick < 0) {
            for (int i = 0; i < n && pick < 0; i++) {
                if (!chosen[i]) {
                    pick = i;
                }
            }
        }
        chosen[pick] = true;
        return pick;
    }

    private static double mass(double[] weights, double[] squaredDistances, int i) {
        return squaredDistances == null ? weights[i] : weights[i] * squaredDistances[i];
    }

    private void copyPoint(float[] points, int point, int cluster) {
        System.arraycopy(points, point * dimension, centroids, cluster * dimension, dimension);
        member[cluster] = point;
    }

    /** ||x_i - c_k||^2, from the point matrix when centroid k is a copy of a point. */
    private double distance(float[] points, int n, int i, int k) {
        int p = member[k];
        return p >= 0 ? pairwise[i * maxPoints + p]
                : SquaredDistance.between(points, i * dimension, centroids, k * dimension, dimension);
    }

    private void assign(float[] points, int n) {
        Arrays.fill(counts, 0);
        for (int i = 0; i < n; i++) {
            int best = 0;
            double bestDistance = distance(points, n, i, 0);
            for (int k = 1; k < clusters; k++) {
                double d = distance(points, n, i, k);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = k;
                }
            }
            labels[i] = best;
            nearest[i] = bestDistance;
            counts[best]++;
        }
    }

    private void fillEmptyClusters(float[] points, int n) {
        for (int k = 0; k < clusters; k++) {
            if (counts[k] > 0) {
                continue;
            }
            int farthest = -1;
            for (int i = 0; i < n; i++) {
                if (counts[labels[i]] >= 2 && (farthest < 0 || nearest[i] > nearest[farthest])) {
                    farthest = i;
                }
            }
            counts[labels[farthest]]--;
            labels[farthest] = k;
            counts[k] = 1;
            nearest[farthest] = 0;
            copyPoint(points, farthest, k);
        }
    }

    private void updateCentroids(float[] points, double[] weights, int n) {
        for (int k = 0; k < clusters; k++) {
            if (counts[k] == 1) {
                for (int i = 0; i < n; i++) {
                    if (labels[i] == k) {
                        if (member[k] != i) {
                            copyPoint(points, i, k);
                        }
                        break;
                    }
                }
                continue;
            }
            member[k] = -1;
            Arrays.fill(sums, 0);
            double total = 0;
            for (int i = 0; i < n; i++) {
                if (labels[i] != k) {
                    continue;
                }
                double w = weights[i];
                total += w;
                int base = i * dimension;
                for (int d = 0; d < dimension; d++) {
                    sums[d] += w * points[base + d];
                }
            }
            int out = k * dimension;
            for (int d = 0; d < dimension; d++) {
                centroids[out + d] = (float) (sums[d] / total);
            }
        }
    }

    private void summarise(double[] weights, double[] times, int n) {
        Arrays.fill(clusterWeight, 0);
        Arrays.fill(clusterTime, 0);
        for (int i = 0; i < n; i++) {
            clusterWeight[labels[i]] += weights[i];
            clusterTime[labels[i]] += weights[i] * times[i];
        }
        for (int k = 0; k < clusters; k++) {
            clusterTime[k] /= clusterWeight[k];
        }
        // insertion sort by (time, index): allocation free, and near-linear since inputs arrive in time order
        for (int k = 0; k < clusters; k++) {
            int j = k;
            while (j > 0 && clusterTime[order[j - 1]] > clusterTime[k]) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = k;
        }
    }

    private void writeInTimeOrder(int n, float[] centroidsOut, double[] weightsOut, double[] timesOut,
                                  int[] labelsOut) {
        for (int position = 0; position < clusters; position++) {
            int k = order[position];
            rank[k] = position;
            System.arraycopy(centroids, k * dimension, centroidsOut, position * dimension, dimension);
            weightsOut[position] = clusterWeight[k];
            timesOut[position] = clusterTime[k];
        }
        for (int i = 0; i < n; i++) {
            labelsOut[i] = rank[labels[i]];
        }
    }
}
