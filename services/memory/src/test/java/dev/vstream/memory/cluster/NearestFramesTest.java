package dev.vstream.memory.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The kept distances give the same answers as a full scan, through ring wrap-around and re-clustering. */
class NearestFramesTest {

    @Test
    void matchesAFullScanAfterEveryUpdate() {
        int slots = 6;
        int dim = 2 * 2 * 4;
        StreamingKMeans clusters = new StreamingKMeans(slots, dim, 10, 17);
        FrameRing ring = new FrameRing(9, dim, dim);
        NearestFrames nearest = new NearestFrames(clusters, ring);
        SceneStream stream = new SceneStream(2, 2, 4, 5, 0.3, 41);
        for (int t = 0; t < 120; t++) {
            // scenes 0 and 3 are frozen for a while: exact duplicates test the tie rule
            FrameFeatures frame = (t / 10) % 5 == 0 ? frozen(stream, 0, t) : stream.next((t / 10) % 5);
            int slot = ring.nextSlot();
            System.arraycopy(frame.values(), 0, ring.keys(), slot * dim, dim);
            System.arraycopy(frame.values(), 0, ring.newValue(), 0, dim);
            clusters.update(ring.keys(), slot * dim, frame.timestampMicros());
            nearest.follow();
            ring.commit(frame.timestampMicros());
            for (int k = 0; k < clusters.count(); k++) {
                assertEquals(fullScan(clusters, k, ring), nearest.nearest(k), "frame " + t + " centroid " + k);
            }
        }
    }

    private static FrameFeatures frozen(SceneStream stream, int scene, int t) {
        return new FrameFeatures(stream.scene(scene).clone(), 2, 2, 4, 1_000_000L * t);
    }

    private static int fullScan(StreamingKMeans clusters, int k, FrameRing ring) {
        int best = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int age = 0; age < ring.size(); age++) {
            int slot = ring.slotByAge(age);
            double d = SquaredDistance.between(ring.keys(), slot * ring.keySize(), clusters.centroids(),
                    k * clusters.dimension(), clusters.dimension());
            if (best < 0 || d < bestDistance * (1 - NearestFrames.TIE_MARGIN)) {
                bestDistance = d;
                best = slot;
            }
        }
        return best;
    }
}
