package dev.vstream.memory.intake;

import dev.vstream.api.topic.Topics;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/** The memory service's Kafka Streams topology: frames in, per-stream intake state, dead letters out. */
public final class FrameIntakeTopology {
    /** Per-stream {@link FrameIntake}, keyed by stream id; persistent, with a changelog; interactive queries read it. */
    public static final String INTAKE_STORE = "frame-intake";

    static final String FRAMES = "frames";
    static final String FRAME_INTAKE = "frame-intake-check";
    static final String DEAD_LETTERS = "dead-letters";

    private FrameIntakeTopology() {
    }

    public static Topology build(IntakeMetrics metrics, DeadLetterLog deadLetterLog) {
        Topology topology = new Topology();
        // Raw bytes in: a record that cannot be decoded still reaches the dead-letter topic exactly as it came.
        topology.addSource(FRAMES, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.FRAMES.name());
        // Decode and check each record (FrameRecordCodec), then check its sequence against the stream's intake
        // state and record it there; the processor forwards the records it refuses, nothing else.
        topology.addProcessor(FRAME_INTAKE, () -> new FrameIntakeProcessor(metrics, deadLetterLog), FRAMES);
        topology.addStateStore(intakeStore(), FRAME_INTAKE);
        // Refused records, original key and value, DeadLetter headers with the reason and where they came from.
        topology.addSink(DEAD_LETTERS, Topics.FRAMES_DLQ.name(), new ByteArraySerializer(), new ByteArraySerializer(),
                FRAME_INTAKE);
        return topology;
    }

    static StoreBuilder<KeyValueStore<String, FrameIntake>> intakeStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INTAKE_STORE), Serdes.String(), new FrameIntakeSerde())
                .withCachingEnabled()
                .withLoggingEnabled(Map.of());
    }
}
