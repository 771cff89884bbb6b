package dev.vstream.memory.star;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vstream.memory.cluster.AveragePooling;
import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.cluster.MemoryTokens;
import dev.vstream.memory.cluster.SceneStream;
import dev.vstream.memory.cluster.SplitMix64;
import dev.vstream.memory.cluster.SquaredDistance;
import dev.vstream.memory.cluster.StreamingKMeans;
import dev.vstream.memory.cluster.WeightedKMeans;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Properties of the fixes against the original streaming code (notes section 6): carried cluster weights,
 * retrieval of frames nearest to the heaviest centroids (not frames indexed by cluster id), a bounded buffer,
 * and a constant memory size once warm. The paper's sizes (16x16 patches, 681 tokens) with narrow channels.
 */
class StarMemoryPropertiesTest {

    private static final int CHANNELS = 16;

    private static StarMemory paperMemory(long seed) {
        StarMemoryConfig config = StarMemoryConfig.paper(16, 16, CHANNELS).withSeed(seed);
        return new StarMemory(config, SemanticAttention.random(config.attentionDim(), CHANNELS, seed));
    }

    @Test
    void aLongFirstSceneKeepsItsWeightAndItsCentroid() {
        // one static minute, then four minutes of eight short scenes: the first scene's clusters must still
        // stand for its 60 frames and sit on it. The original re-clusters with uniform weights, so an old
        // centroid counts as one frame and is averaged into the newer scenes.
        StarMemory memory = paperMemory(1);
        SceneStream stream = new SceneStream(16, 16, CHANNELS, 9, 0.3, 11);
        for (int t = 0; t < 60; t++) {
            memory.update(stream.next(0));
        }
        for (int t = 0; t < 240; t++) {
            memory.update(stream.next(1 + t / 30));
        }
        StreamingKMeans temporal = memory.temporal();
        float[] firstScene = pooledScene(stream.scene(0), 4);
        double firstWeight = 0;
        double total = 0;
        double nearestToFirst = Double.POSITIVE_INFINITY;
        int dim = 16 * CHANNELS;
        for (int k = 0; k < temporal.count(); k++) {
            total += temporal.weight(k);
            double d = SquaredDistance.between(temporal.centroids(), k * dim, firstScene, 0, dim) / dim;
            nearestToFirst = Math.min(nearestToFirst, d);
            if (temporal.time(k) < 60e6) {
                firstWeight += temporal.weight(k);
            }
        }
        assertEquals(300, total, 1e-9, "cluster weights add up to the frames seen");
        assertEquals(60, firstWeight, 1e-9, "clusters of the first minute stand for its 60 frames");
        assertTrue(nearestToFirst < 0.01, "a centroid sits on the first scene, mean sq. distance " + nearestToFirst);

        // the same stream re-clustered with uniform weights (the original's streaming path) loses it
        double forgetful = uniformWeightDistance(firstScene);
        assertTrue(forgetful > 10 * nearestToFirst, "uniform weights drift: " + forgetful + " vs " + nearestToFirst);
    }

    /** Mean squared distance from the first scene to the nearest centroid when old centroids weigh 1. */
    private static double uniformWeightDistance(float[] firstScene) {
        SceneStream stream = new SceneStream(16, 16, CHANNELS, 9, 0.3, 11);
        int dim = 16 * CHANNELS;
        int slots = 25;
        WeightedKMeans kmeans = new WeightedKMeans(slots + 1, slots, dim, 10);
        float[] points = new float[(slots + 1) * dim];
        float[] next = new float[(slots + 1) * dim];
        double[] ones = new double[slots + 1];
        Arrays.fill(ones, 1);
        double[] times = new double[slots + 1];
        int count = 0;
        float[] pooled = new float[dim];
        for (int t = 0; t < 300; t++) {
            FrameFeatures frame = stream.next(t < 60 ? 0 : 1 + (t - 60) / 30);
            float[] spatial = new float[64 * CHANNELS];
            AveragePooling.pool(frame.values(), 0, 16, 16, CHANNELS, 8, spatial, 0);
            AveragePooling.pool(spatial, 0, 8, 8, CHANNELS, 4, pooled, 0);
            System.arraycopy(pooled, 0, points, count * dim, dim);
            times[count] = t;
            if (count < slots) {
                count++;
                continue;
            }
            kmeans.cluster(points, ones, times, slots + 1, SplitMix64.forUpdate(1, t), next, new double[slots],
                    times, new int[slots + 1]);
            System.arraycopy(next, 0, points, 0, slots * dim);
        }
        double best = Double.POSITIVE_INFINITY;
        for (int k = 0; k < slots; k++) {
            best = Math.min(best, SquaredDistance.between(points, k * dim, firstScene, 0, dim) / dim);
        }
        return best;
    }

    @Test
    void framesOfTheLaterMinutesAreRetrieved() {
        // minute 1: scene A; minutes 2-3: scene B; minutes 4-5: scene C. The original retrieves frames whose
        // index is a cluster id, i.e. frames of the first 25 seconds; the paper retrieves, for the heaviest
        // clusters, the buffered frame nearest to the centroid: B's cluster (120 frames), then C's, then A's.
        StarMemory memory = paperMemory(2);
        SceneStream stream = new SceneStream(16, 16, CHANNELS, 3, 0.3, 12);
        FrameFeatures[] frames = new FrameFeatures[300];
        for (int t = 0; t < 300; t++) {
            frames[t] = stream.next(t < 60 ? 0 : t < 180 ? 1 : 2);
            memory.update(frames[t]);
        }
        long[] retrieved = new long[3];
        assertEquals(3, memory.retrievedSequences(retrieved));
        assertTrue(retrieved[0] >= 60 && retrieved[0] < 180, "heaviest cluster is scene B: " + retrieved[0]);
        assertTrue(retrieved[1] >= 180, "second heaviest is scene C: " + retrieved[1]);

        // each is the frame nearest to its centroid, over the whole buffer (brute force at P_tem)
        StreamingKMeans temporal = memory.temporal();
        int[] heaviest = new int[3];
        temporal.heaviest(3, heaviest);
        int dim = 16 * CHANNELS;
        for (int r = 0; r < 3; r++) {
            long best = -1;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int t = 0; t < 300; t++) {
                double d = SquaredDistance.between(pooledScene(frames[t].values(), 4), 0, temporal.centroids(),
                        heaviest[r] * dim, dim);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = t;
                }
            }
            assertEquals(best, retrieved[r], "retrieved frame of cluster " + heaviest[r]);
        }
        MemoryTokens<StarSlot> tokens = memory.newTokens();
        memory.read(tokens);
        int firstRetrieved = 25 + 25 * 16;
        for (int r = 0; r < 3; r++) {
            assertEquals(StarSlot.RETRIEVED, tokens.kind(firstRetrieved + r * 64));
            assertEquals(1_000_000L * retrieved[r], tokens.timestampMicros(firstRetrieved + r * 64));
        }
    }

    @Test
    void theBufferStaysBounded() {
        StarMemoryConfig config = new StarMemoryConfig(16, 16, CHANNELS, 8, 4, 1, 1, 25, 25, 3, 50, 0.2, 1, 32, 10, 3);
        StarMemory memory = new StarMemory(config, SemanticAttention.random(32, CHANNELS, 3));
        SceneStream stream = new SceneStream(16, 16, CHANNELS, 5, 0.3, 13);
        int stateBytes = -1;
        for (int t = 0; t < 400; t++) {
            memory.update(stream.next((t / 40) % 5));
            assertEquals(Math.min(t + 1, 50), memory.bufferedFrames());
            if (t >= 50) {
                int size = memory.toBytes().length;
                if (stateBytes < 0) {
                    stateBytes = size;
                }
                assertEquals(stateBytes, size, "state size after frame " + t);
            }
        }
        assertEquals(400, memory.framesSeen());
        long[] retrieved = new long[3];
        int n = memory.retrievedSequences(retrieved);
        for (int r = 0; r < n; r++) {
            assertTrue(retrieved[r] >= 350, "retrieval only sees the buffer: " + retrieved[r]);
        }
    }

    @Test
    void theMemorySizeIsConstantAfterWarmUp() {
        StarMemory memory = paperMemory(4);
        assertEquals(681, memory.config().maxTokens());
        SceneStream stream = new SceneStream(16, 16, CHANNELS, 6, 0.3, 14);
        MemoryTokens<StarSlot> tokens = memory.newTokens();
        for (int t = 0; t < 120; t++) {
            memory.update(stream.next((t / 20) % 6));
            memory.read(tokens);
            int expected = t + 1 >= 25 ? 681 : (t + 1) + (t + 1) * 16 + Math.min(3, t + 1) * 64 + 64;
            assertEquals(expected, tokens.count(), "tokens after frame " + t);
            if (t + 1 >= 25) {
                assertEquals(25, tokens.count(StarSlot.ABSTRACT));
                assertEquals(400, tokens.count(StarSlot.TEMPORAL));
                assertEquals(192, tokens.count(StarSlot.RETRIEVED));
                assertEquals(64, tokens.count(StarSlot.SPATIAL));
            }
        }
        // layout [abstract][temporal][retrieved][spatial]; the spatial memory is the newest frame
        assertEquals(StarSlot.ABSTRACT, tokens.kind(0));
        assertEquals(StarSlot.TEMPORAL, tokens.kind(25));
        assertEquals(StarSlot.RETRIEVED, tokens.kind(425));
        assertEquals(StarSlot.SPATIAL, tokens.kind(617));
        assertEquals(119_000_000L, tokens.timestampMicros(680));
        for (int i = 25 + 16; i < 425; i += 16) {
            assertTrue(tokens.timestampMicros(i) >= tokens.timestampMicros(i - 16), "temporal slots in time order");
        }
    }

    private static float[] pooledScene(float[] scene, int grid) {
        float[] spatial = new float[64 * CHANNELS];
        AveragePooling.pool(scene, 0, 16, 16, CHANNELS, 8, spatial, 0);
        float[] out = new float[grid * grid * CHANNELS];
        AveragePooling.pool(spatial, 0, 8, 8, CHANNELS, grid, out, 0);
        return out;
    }
}
