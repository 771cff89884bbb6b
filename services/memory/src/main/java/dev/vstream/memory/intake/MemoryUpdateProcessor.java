package dev.vstream.memory.intake;

import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.frame.FrameRecordCodec;
import dev.vstream.api.frame.MalformedRecordException;
import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.MemorySnapshotCodec;
import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.cluster.MemoryStateException;
import dev.vstream.memory.cluster.MemoryTokens;
import dev.vstream.memory.encoder.FrameImages;
import dev.vstream.memory.encoder.MemoryModel;
import dev.vstream.memory.snapshot.Snapshots;
import dev.vstream.memory.snapshot.StreamMemory;
import dev.vstream.memory.star.StarMemory;
import dev.vstream.memory.star.StarSlot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes each accepted frame into its stream's STAR memory: JPEG decode, vision encoder, memory update, the new
 * state into the memory store (changelogged with the intake in the same transaction) and the new
 * {@link MemorySnapshot} to {@code vstream.memory}. A frame whose image is unusable is dead-lettered and leaves the
 * memory as it was. Without a memory model it only expires idle streams.
 *
 * <p>Expiry runs on wall-clock time every {@code expiryCheck}: a stream whose newest accepted frame (its Kafka
 * timestamp) is older than {@code idleTimeout} loses its intake and memory, and a tombstone replaces its snapshot.
 */
final class MemoryUpdateProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(MemoryUpdateProcessor.class);

    private final MemoryModel model;
    private final MemoryMetrics metrics;
    private final IntakeMetrics intakeMetrics;
    private final DeadLetterLog deadLetterLog;
    private final Duration idleTimeout;
    private final Duration expiryCheck;
    private ProcessorContext<byte[], byte[]> context;
    private DeadLetterRouter deadLetters;
    private KeyValueStore<String, FrameIntake> intakes;
    private KeyValueStore<String, StreamMemory> memories;
    private MemoryTokens<StarSlot> tokens;

    MemoryUpdateProcessor(MemoryModel model, MemoryMetrics metrics, IntakeMetrics intakeMetrics,
                          DeadLetterLog deadLetterLog, Duration idleTimeout, Duration expiryCheck) {
        this.model = model;
        this.metrics = metrics;
        this.intakeMetrics = intakeMetrics;
        this.deadLetterLog = deadLetterLog;
        this.idleTimeout = idleTimeout;
        this.expiryCheck = expiryCheck;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.deadLetters = new DeadLetterRouter(context, intakeMetrics, deadLetterLog);
        this.intakes = context.getStateStore(FrameIntakeTopology.INTAKE_STORE);
        this.memories = context.getStateStore(FrameIntakeTopology.MEMORY_STORE);
        context.schedule(expiryCheck, PunctuationType.WALL_CLOCK_TIME, this::expireIdleStreams);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (!(model instanceof MemoryModel.Loaded loaded)) {
            return;
        }
        long start = System.nanoTime();
        FrameRecord frame;
        try {
            frame = FrameRecordCodec.decode(new String(record.key(), StandardCharsets.UTF_8), record.value());
        } catch (MalformedRecordException e) {
            throw new IllegalStateException("the intake forwarded a frame its codec refuses: " + e.getMessage(), e);
        }
        FrameImages.Decoded decoded = FrameImages.decode(frame.payload(), frame.width(), frame.height(),
                loaded.encoder().imageSize());
        if (decoded instanceof FrameImages.Decoded.Refused(boolean wrongSize, String reason)) {
            deadLetters.send(record, wrongSize ? RejectionKind.WRONG_IMAGE_SIZE : RejectionKind.UNDECODABLE_IMAGE, reason);
            return;
        }
        FrameFeatures features = loaded.encoder().encode(((FrameImages.Decoded.Image) decoded).image(), frame.ptsMicros());
        String streamId = frame.streamId();
        StarMemory memory = restore(loaded, streamId);
        memory.update(features);
        StreamMemory next = new StreamMemory(frame.ptsMicros(), record.timestamp(), memory.toBytes());
        byte[] snapshot;
        try {
            snapshot = MemorySnapshotCodec.encode(Snapshots.of(streamId, memory, next, loaded.encoder().identity(),
                    loaded.tokenType(), tokens(loaded)));
        } catch (IllegalArgumentException e) {
            deadLetters.send(record, RejectionKind.MEMORY_UPDATE_FAILED, "memory snapshot would be invalid: " + e.getMessage());
            return;
        }
        memories.put(streamId, next);
        context.forward(new Record<>(record.key(), snapshot, record.timestamp()), FrameIntakeTopology.SNAPSHOTS);
        metrics.updated(System.nanoTime() - start, next.state().length, snapshot.length);
    }

    /** The stream's memory from the store, or a new one (first frame, or state written under another config). */
    private StarMemory restore(MemoryModel.Loaded loaded, String streamId) {
        StreamMemory stored = memories.get(streamId);
        if (stored == null) {
            log.info("Stream '{}': new memory ({} tokens when full)", streamId, loaded.star().maxTokens());
            return new StarMemory(loaded.star(), loaded.attention());
        }
        try {
            return StarMemory.fromBytes(loaded.star(), loaded.attention(), stored.state());
        } catch (MemoryStateException e) {
            log.warn("Stream '{}': stored memory does not fit this service's memory config, starting anew: {}",
                    streamId, e.getMessage());
            return new StarMemory(loaded.star(), loaded.attention());
        }
    }

    private MemoryTokens<StarSlot> tokens(MemoryModel.Loaded loaded) {
        if (tokens == null) {
            tokens = new MemoryTokens<>(loaded.star().maxTokens(), loaded.star().channels());
        }
        return tokens;
    }

    private void expireIdleStreams(long now) {
        List<String> idle = new ArrayList<>();
        try (KeyValueIterator<String, FrameIntake> all = intakes.all()) {
            while (all.hasNext()) {
                KeyValue<String, FrameIntake> entry = all.next();
                if (now - entry.value.lastAcceptedAtMs() >= idleTimeout.toMillis()) {
                    idle.add(entry.key);
                }
            }
        }
        for (String streamId : idle) {
            intakes.delete(streamId);
            if (memories.delete(streamId) != null) {
                context.forward(new Record<>(streamId.getBytes(StandardCharsets.UTF_8), null, now),
                        FrameIntakeTopology.SNAPSHOTS);
            }
            metrics.expired();
            log.info("Stream '{}' expired after {} without frames: intake and memory deleted", streamId, idleTimeout);
        }
    }
}
