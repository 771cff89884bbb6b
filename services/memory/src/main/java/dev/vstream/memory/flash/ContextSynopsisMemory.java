package dev.vstream.memory.flash;

import dev.vstream.memory.cluster.StateInput;
import dev.vstream.memory.cluster.StateOutput;
import dev.vstream.memory.cluster.StreamingKMeans;

/**
 * Context synopsis memory (CSM, Flash-VStream 2025): weighted K-means of the pooled inputs into
 * {@code synopsisSlots} centroids ordered by their weighted mean member time, each with that time as its
 * timestamp (the original overwrites it with a position in the re-clustered array; here it stays a real time).
 */
final class ContextSynopsisMemory {

    private final FlashMemoryConfig config;
    private final StreamingKMeans clusters;  // centroids (synopsisSlots, synopsisTokens * C)

    ContextSynopsisMemory(FlashMemoryConfig config) {
        this.config = config;
        this.clusters = new StreamingKMeans(config.synopsisSlots(), config.synopsisTokens() * config.channels(),
                config.kmeansIterations(), config.seed());
    }

    /** Adds one pooled input, (synopsisTokens, C) at {@code offset}. */
    void update(float[] pooled, int offset, long timestampMicros) {
        clusters.update(pooled, offset, timestampMicros);
    }

    StreamingKMeans clusters() {
        return clusters;
    }

    int dimension() {
        return config.synopsisTokens() * config.channels();
    }

    long stateBytes() {
        return clusters.stateBytes();
    }

    void writeTo(StateOutput out) {
        clusters.writeTo(out);
    }

    void readFrom(StateInput in) {
        clusters.readFrom(in);
    }
}
