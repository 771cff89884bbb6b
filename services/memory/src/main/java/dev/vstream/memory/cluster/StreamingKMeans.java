package dev.vstream.memory.cluster;

/**
 * A bounded set of weighted centroids kept by streaming weighted K-means: the temporal memory of STAR
 * (Flash-VStream 2024, Algorithm 1) and the context synopsis memory of Flash Memory (2025). Until it holds
 * {@code slots} centroids each new frame is appended with weight 1; after that every frame runs K-means over
 * [old centroids with their weights, new frame with weight 1] back to {@code slots} centroids, each keeping its
 * summed member weight (its cluster size in frames) and its weighted mean member time, ordered by that time.
 */
public final class StreamingKMeans {

    private final int slots;
    private final int dimension;
    private final long seed;
    private final WeightedKMeans kmeans;
    private float[] centroids;           // (slots + 1, dimension); row `count` takes the new frame
    private float[] next;                // (slots + 1, dimension) K-means output, swapped with centroids
    private final double[] weights;      // (slots + 1)
    private final double[] times;        // (slots + 1) micros
    private final double[] nextWeights;  // (slots)
    private final double[] nextTimes;    // (slots)
    private final int[] labels;          // (slots + 1) cluster of each K-means input, -1 when none ran
    private final boolean[] stale;       // (slots + 1) inputs whose distances the next K-means computes
    private final int[] sources;         // (slots) position before the last update of an unchanged centroid, or -1
    private int count;
    private long updates;

    /**
     * @param slots      N: centroids kept
     * @param dimension  values per centroid (tokens x channels)
     * @param iterations most K-means assignment passes
     * @param seed       seed of the K-means initialisation; update u draws from SplitMix64.forUpdate(seed, u)
     */
    public StreamingKMeans(int slots, int dimension, int iterations, long seed) {
        this.slots = slots;
        this.dimension = dimension;
        this.seed = seed;
        this.kmeans = new WeightedKMeans(slots + 1, slots, dimension, iterations);
        this.centroids = new float[(slots + 1) * dimension];
        this.next = new float[(slots + 1) * dimension];
        this.weights = new double[slots + 1];
        this.times = new double[slots + 1];
        this.nextWeights = new double[slots];
        this.nextTimes = new double[slots];
        this.labels = new int[slots + 1];
        this.stale = new boolean[slots + 1];
        this.sources = new int[slots];
        java.util.Arrays.fill(labels, -1);
        java.util.Arrays.fill(stale, true);
        java.util.Arrays.fill(sources, -1);
    }

    /** Adds one frame's features, (dimension) at {@code offset}. */
    public void update(float[] frame, int offset, long timestampMicros) {
        System.arraycopy(frame, offset, centroids, count * dimension, dimension);
        weights[count] = 1;
        times[count] = timestampMicros;
        long update = updates++;
        if (count < slots) {
            for (int k = 0; k < count; k++) {
                sources[k] = k;
            }
            sources[count] = -1;
            count++;
            java.util.Arrays.fill(labels, -1);
            return;
        }
        kmeans.cluster(centroids, weights, times, slots + 1, stale, SplitMix64.forUpdate(seed, update),
                next, nextWeights, nextTimes, labels);
        kmeans.carryDistances(stale);
        for (int k = 0; k < slots; k++) {
            int source = kmeans.sourcePoint(k);
            sources[k] = source >= 0 && source < slots ? source : -1;
        }
        float[] swap = centroids;
        centroids = next;
        next = swap;
        System.arraycopy(nextWeights, 0, weights, 0, slots);
        System.arraycopy(nextTimes, 0, times, 0, slots);
    }

    /**
     * Where centroid {@code k} was before the last update if it is the very same vector (a cluster of one old
     * centroid), else -1 (a new frame, or a mean of several inputs). Lets callers keep per-centroid caches.
     */
    public int source(int k) {
        return sources[k];
    }

    /** Values per centroid. */
    public int dimension() {
        return dimension;
    }

    /** Centroids held: min(frames seen, slots). */
    public int count() {
        return count;
    }

    public int slots() {
        return slots;
    }

    /** Frames seen. */
    public long updates() {
        return updates;
    }

    /** (count, dimension) in time order; rows past {@link #count()} are scratch. */
    public float[] centroids() {
        return centroids;
    }

    /** Summed member weight of centroid {@code k}: how many frames it stands for. */
    public double weight(int k) {
        return weights[k];
    }

    /** Weighted mean member time of centroid {@code k}, micros. */
    public double time(int k) {
        return times[k];
    }

    /**
     * Cluster of each input of the last K-means ([old centroids..., new frame]), or -1 for all when the last
     * update only appended.
     */
    public int label(int input) {
        return labels[input];
    }

    /**
     * Indices of the {@code n} heaviest centroids, heaviest first (ties: earlier centroid), into {@code out}.
     *
     * @return how many were written: min(n, count)
     */
    public int heaviest(int n, int[] out) {
        int taken = Math.min(n, count);
        for (int r = 0; r < taken; r++) {
            int best = -1;
            for (int k = 0; k < count; k++) {
                if (alreadyTaken(out, r, k)) {
                    continue;
                }
                if (best < 0 || weights[k] > weights[best]) {
                    best = k;
                }
            }
            out[r] = best;
        }
        return taken;
    }

    private static boolean alreadyTaken(int[] out, int taken, int k) {
        for (int i = 0; i < taken; i++) {
            if (out[i] == k) {
                return true;
            }
        }
        return false;
    }

    /** Bytes {@link #writeTo} writes now. */
    public long stateBytes() {
        return 4 + 8 + (long) count * (4L * dimension + 16);
    }

    public void writeTo(StateOutput out) {
        out.writeInt(count);
        out.writeLong(updates);
        out.writeFloats(centroids, 0, count * dimension);
        out.writeDoubles(weights, 0, count);
        out.writeDoubles(times, 0, count);
    }

    public void readFrom(StateInput in) {
        int n = in.readInt();
        long seen = in.readLong();
        if (n < 0 || n > slots || seen < n || (n < slots && seen != n)) {
            throw new MemoryStateException("streaming k-means counts out of range: centroids=" + n + " frames=" + seen);
        }
        count = n;
        updates = seen;
        in.readFloats(centroids, 0, count * dimension);
        in.readDoubles(weights, 0, count);
        in.readDoubles(times, 0, count);
        java.util.Arrays.fill(labels, -1);
        java.util.Arrays.fill(stale, true);
    }
}
