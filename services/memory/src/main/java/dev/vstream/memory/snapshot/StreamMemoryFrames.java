package dev.vstream.memory.snapshot;

import dev.vstream.memory.star.SemanticAttention;
import dev.vstream.memory.star.StarMemory;
import dev.vstream.memory.star.StarMemoryConfig;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The split form of a stream's memory in the stores: the core ({@link StreamMemory}, {@link StarMemory#coreBytes()})
 * keyed by stream id, and one entry per buffered frame ({@link StarMemory#frameBytes(int)}) keyed by
 * {@link #key(String, int) stream id + "/" + ring slot}. An update rewrites the core and the one slot it wrote
 * (the evicted frame's slot, once the buffer is full), so a frame costs the store, and the changelog, a core and a
 * frame instead of the whole buffer.
 */
public final class StreamMemoryFrames {
    private StreamMemoryFrames() {
    }

    /**
     * Key of a buffered frame: stream id, "/", slot in decimal. A stream id never holds "/"
     * ({@link dev.vstream.api.frame.StreamId}), so {@link #prefix} finds one stream's frames and no other's.
     */
    public static String key(String streamId, int slot) {
        return prefix(streamId) + slot;
    }

    /** Prefix of every frame key of one stream. */
    public static String prefix(String streamId) {
        return streamId + "/";
    }

    /**
     * The stream's memory restored from the split form in the stores, byte for byte the memory that wrote it.
     *
     * @throws dev.vstream.memory.cluster.MemoryStateException when the stored state does not fit {@code config}
     *                                                        or a frame entry is missing or stale
     */
    public static StarMemory restore(StarMemoryConfig config, SemanticAttention attention, StreamMemory core,
                                     ReadOnlyKeyValueStore<String, byte[]> frames, String streamId) {
        return StarMemory.fromParts(config, attention, core.state(), slot -> frames.get(key(streamId, slot)));
    }
}
