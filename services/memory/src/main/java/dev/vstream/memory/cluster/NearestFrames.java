package dev.vstream.memory.cluster;

import java.util.Arrays;

/**
 * The retrieval of both memories, "the buffered frame nearest to a centroid", with the distances kept between
 * reads: a row per centroid and a column per ring slot, each entry tagged with the frame sequence it was
 * computed for. A centroid that an update left unchanged keeps its row (moved to its new position), so a read
 * computes distances only for frames that arrived since and for centroids that changed: O(new + changed)
 * instead of O(centroids x buffer) per read. The answer is the same as a full scan: the same distances, compared
 * in age order with {@link #TIE_MARGIN}.
 */
public final class NearestFrames {

    /**
     * Relative distance difference below which two frames count as equally near, and the older is taken: the
     * centroid of two equally weighted frames is equidistant from both, and the float32 rounding of the centroid
     * must not decide which one is retrieved.
     */
    public static final double TIE_MARGIN = 1e-6;

    private final StreamingKMeans clusters;
    private final FrameRing ring;
    private final int centroids;
    private final int capacity;
    private double[] distances;     // (centroids, capacity)
    private long[] computedFor;     // (centroids, capacity) frame sequence of each distance, -1 none
    private double[] nextDistances; // (centroids, capacity) scratch of the permutation
    private long[] nextComputedFor; // (centroids, capacity)

    /** Nearest frames of {@code ring} to the centroids of {@code clusters}, whose dimension is the ring's key size. */
    public NearestFrames(StreamingKMeans clusters, FrameRing ring) {
        if (clusters.dimension() != ring.keySize()) {
            throw new IllegalArgumentException("centroids of " + clusters.dimension() + " values cannot be compared "
                    + "with frame keys of " + ring.keySize());
        }
        this.clusters = clusters;
        this.ring = ring;
        this.centroids = clusters.slots();
        this.capacity = ring.capacity();
        this.distances = new double[centroids * capacity];
        this.computedFor = new long[centroids * capacity];
        this.nextDistances = new double[centroids * capacity];
        this.nextComputedFor = new long[centroids * capacity];
        Arrays.fill(computedFor, -1);
    }

    /** Moves the rows after an update of the clusters, dropping those of changed centroids; once per update. */
    public void follow() {
        for (int k = 0; k < centroids; k++) {
            int source = k < clusters.count() ? clusters.source(k) : -1;
            if (source >= 0) {
                System.arraycopy(distances, source * capacity, nextDistances, k * capacity, capacity);
                System.arraycopy(computedFor, source * capacity, nextComputedFor, k * capacity, capacity);
            } else {
                Arrays.fill(nextComputedFor, k * capacity, (k + 1) * capacity, -1);
            }
        }
        double[] d = distances;
        distances = nextDistances;
        nextDistances = d;
        long[] c = computedFor;
        computedFor = nextComputedFor;
        nextComputedFor = c;
    }

    /**
     * Ring slot of the frame nearest to centroid {@code k}: the oldest frame, unless a newer one is nearer by a
     * relative {@link #TIE_MARGIN}; -1 when the ring is empty.
     */
    public int nearest(int k) {
        int row = k * capacity;
        int size = ring.size();
        int best = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int age = 0; age < size; age++) {
            int slot = ring.slotByAge(age);
            long sequence = ring.sequence(slot);
            if (computedFor[row + slot] != sequence) {
                distances[row + slot] = SquaredDistance.between(ring.keys(), slot * ring.keySize(),
                        clusters.centroids(), k * ring.keySize(), ring.keySize());
                computedFor[row + slot] = sequence;
            }
            double d = distances[row + slot];
            if (best < 0 || d < bestDistance * (1 - TIE_MARGIN)) {
                bestDistance = d;
                best = slot;
            }
        }
        return best;
    }
}
