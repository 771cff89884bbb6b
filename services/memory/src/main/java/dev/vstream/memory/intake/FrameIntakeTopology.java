package dev.vstream.memory.intake;

import dev.vstream.api.topic.Topics;
import dev.vstream.memory.encoder.MemoryModel;
import dev.vstream.memory.snapshot.StreamMemory;
import dev.vstream.memory.snapshot.StreamMemoryFrames;
import dev.vstream.memory.snapshot.StreamMemorySerde;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The memory service's Kafka Streams topology: frames in, per-stream intake state, dead letters out, and for
 * every accepted frame the stream's memory updated and its snapshot published.
 */
public final class FrameIntakeTopology {
    /** Per-stream {@link FrameIntake}, keyed by stream id; persistent, with a changelog; interactive queries read it. */
    public static final String INTAKE_STORE = "frame-intake";
    /**
     * Per-stream {@link StreamMemory}: the core of the memory's state (everything but its buffered frames), keyed
     * by stream id; with a changelog.
     */
    public static final String MEMORY_STORE = "stream-memory";
    /**
     * The buffered frames of every stream's memory, one entry per frame, keyed by stream id + "/" + ring slot
     * ({@link StreamMemoryFrames}); with a changelog. A frame rewrites one entry here and the core in
     * {@link #MEMORY_STORE}, not the whole memory.
     */
    public static final String MEMORY_FRAMES_STORE = "stream-memory-frames";
    /**
     * Live memories a memory-update processor keeps per task (the rest are restored from the stores when their
     * next frame comes). A paper-size STAR memory holds about 120 MB of heap.
     */
    public static final int DEFAULT_LIVE_MEMORIES_PER_TASK = 8;
    /**
     * Largest stream memory the changelog takes: the broker refuses requests past 100 MiB
     * ({@code socket.request.max.bytes}), so a little less; the producers' limits follow it.
     */
    public static final int MAX_MEMORY_STATE_BYTES = 96 * 1024 * 1024;

    static final String FRAMES = "frames";
    static final String FRAME_INTAKE = "frame-intake-check";
    static final String MEMORY_UPDATE = "memory-update";
    static final String DEAD_LETTERS = "dead-letters";
    static final String SNAPSHOTS = "memory-snapshots";

    private FrameIntakeTopology() {
    }

    /**
     * @param model       the encoder and memory config, or why there is none (then frames are only checked)
     * @param idleTimeout a stream without accepted frames for this long is expired
     * @param expiryCheck how often idle streams are looked for (wall-clock time)
     */
    public static Topology build(IntakeMetrics metrics, DeadLetterLog deadLetterLog, MemoryModel model,
                                 MemoryMetrics memoryMetrics, Duration idleTimeout, Duration expiryCheck) {
        return build(metrics, deadLetterLog, model, memoryMetrics, idleTimeout, expiryCheck,
                DEFAULT_LIVE_MEMORIES_PER_TASK, MemoryListener.NONE);
    }

    /**
     * @param liveMemories most live memories kept per task (at least 1); see {@link #DEFAULT_LIVE_MEMORIES_PER_TASK}
     * @param listener     told of every published memory version and expiry (the context refresher)
     */
    public static Topology build(IntakeMetrics metrics, DeadLetterLog deadLetterLog, MemoryModel model,
                                 MemoryMetrics memoryMetrics, Duration idleTimeout, Duration expiryCheck,
                                 int liveMemories, MemoryListener listener) {
        Topology topology = new Topology();
        // Raw bytes in: a record that cannot be decoded still reaches the dead-letter topic exactly as it came.
        topology.addSource(FRAMES, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.FRAMES.name());
        // Decode and check each record (FrameRecordCodec), then check its sequence against the stream's intake
        // state and record it there; refused records go to the dead letters, accepted ones on to the memory.
        topology.addProcessor(FRAME_INTAKE, () -> new FrameIntakeProcessor(metrics, deadLetterLog), FRAMES);
        // Accepted frames: JPEG -> vision encoder (penultimate-layer patch features) -> the stream's STAR memory,
        // kept live per task and stored next to the intake as a core and one entry per buffered frame (a frame
        // rewrites the core and one frame entry); unusable images are dead-lettered. On wall-clock time,
        // streams idle past their timeout lose intake and memory and get a tombstone.
        topology.addProcessor(MEMORY_UPDATE, () -> new MemoryUpdateProcessor(model, memoryMetrics, metrics,
                deadLetterLog, idleTimeout, expiryCheck, liveMemories, listener), FRAME_INTAKE);
        topology.addStateStore(intakeStore(), FRAME_INTAKE, MEMORY_UPDATE);
        topology.addStateStore(memoryStore(), MEMORY_UPDATE);
        topology.addStateStore(memoryFramesStore(), MEMORY_UPDATE);
        // Refused records, original key and value, DeadLetter headers with the reason and where they came from.
        topology.addSink(DEAD_LETTERS, Topics.FRAMES_DLQ.name(), new ByteArraySerializer(), new ByteArraySerializer(),
                FRAME_INTAKE, MEMORY_UPDATE);
        // The newest MemorySnapshot per stream (MemorySnapshotCodec bytes) into the compacted topic; null = expired.
        topology.addSink(SNAPSHOTS, Topics.MEMORY.name(), new ByteArraySerializer(), new ByteArraySerializer(),
                MEMORY_UPDATE);
        return topology;
    }

    static StoreBuilder<KeyValueStore<String, FrameIntake>> intakeStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INTAKE_STORE), Serdes.String(), new FrameIntakeSerde())
                .withCachingEnabled()
                .withLoggingEnabled(Map.of());
    }

    static StoreBuilder<KeyValueStore<String, StreamMemory>> memoryStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MEMORY_STORE), Serdes.String(), new StreamMemorySerde())
                .withCachingEnabled()
                .withLoggingEnabled(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_MEMORY_STATE_BYTES)));
    }

    /**
     * No record cache: each key is written once per N_buff frames, so a cache would only copy the entries. A
     * full-resolution frame of a wide encoder passes the broker's 1 MiB default, hence the same limit as the memory.
     */
    static StoreBuilder<KeyValueStore<String, byte[]>> memoryFramesStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MEMORY_FRAMES_STORE), Serdes.String(),
                        Serdes.ByteArray())
                .withCachingDisabled()
                .withLoggingEnabled(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_MEMORY_STATE_BYTES)));
    }
}
