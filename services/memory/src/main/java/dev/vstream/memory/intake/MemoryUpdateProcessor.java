package dev.vstream.memory.intake;

import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.frame.FrameRecordCodec;
import dev.vstream.api.frame.MalformedRecordException;
import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.MemorySnapshotCodec;
import dev.vstream.context.prefill.MemoryWindow;
import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.cluster.MemoryStateException;
import dev.vstream.memory.cluster.MemoryTokens;
import dev.vstream.memory.encoder.FrameImages;
import dev.vstream.memory.encoder.MemoryModel;
import dev.vstream.memory.snapshot.Snapshots;
import dev.vstream.memory.snapshot.StreamMemory;
import dev.vstream.memory.snapshot.StreamMemoryFrames;
import dev.vstream.memory.star.StarMemory;
import dev.vstream.memory.star.StarSlot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
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
 * <p>State: the memory store holds each stream's core ({@link StarMemory#coreBytes()}) and the frames store one
 * entry per buffered frame ({@link StarMemory#frameBytes(int)}); a frame rewrites the core and the one slot it
 * filled, never the whole buffer. The memories themselves stay live in this processor ({@link #live}), so a frame
 * neither deserializes nor serializes the buffer.
 *
 * <p>Why the live memories are correct under exactly-once: a processor instance belongs to one task, and only it
 * writes its stores, so after each frame the live memory is exactly what its stores hold (the core and the new
 * frame entry are written from it, in the same transaction as the intake, the snapshot and the input offset).
 * When a transaction does not commit (a crash, a fenced producer, a task migrated or corrupted) the task is closed
 * dirty, its stores are wiped and restored from the changelog (which holds committed writes only), and it is
 * initialized again, with a new processor instance or this one through {@link #close()} and {@link #init}: both
 * empty the cache, so every memory is rebuilt from the restored stores on its stream's next frame. A frame that
 * fails after its update touched the live memory (a refused snapshot, any exception) drops that memory from the
 * cache, so the next frame restores it from the store instead of building on an update that was never stored.
 * The cache holds at most {@code liveMemories} streams (least recently updated out first: safe, as the stores
 * always hold the whole memory); an idle stream's memory leaves it when the stream expires.
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
    private final MemoryListener listener;
    private ProcessorContext<byte[], byte[]> context;
    private DeadLetterRouter deadLetters;
    private KeyValueStore<String, FrameIntake> intakes;
    private KeyValueStore<String, StreamMemory> memories;
    private KeyValueStore<String, byte[]> frames;
    private MemoryTokens<StarSlot> tokens;
    /** This task's live memories by stream id, least recently used first; see the class comment. */
    private final LinkedHashMap<String, StarMemory> live;

    MemoryUpdateProcessor(MemoryModel model, MemoryMetrics metrics, IntakeMetrics intakeMetrics,
                          DeadLetterLog deadLetterLog, Duration idleTimeout, Duration expiryCheck, int liveMemories,
                          MemoryListener listener) {
        if (liveMemories < 1) {
            throw new IllegalArgumentException("liveMemories must be positive, got " + liveMemories);
        }
        this.live = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, StarMemory> eldest) {
                return size() > liveMemories;
            }
        };
        this.model = model;
        this.metrics = metrics;
        this.intakeMetrics = intakeMetrics;
        this.deadLetterLog = deadLetterLog;
        this.idleTimeout = idleTimeout;
        this.expiryCheck = expiryCheck;
        this.listener = listener;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.deadLetters = new DeadLetterRouter(context, intakeMetrics, deadLetterLog);
        this.intakes = context.getStateStore(FrameIntakeTopology.INTAKE_STORE);
        this.memories = context.getStateStore(FrameIntakeTopology.MEMORY_STORE);
        this.frames = context.getStateStore(FrameIntakeTopology.MEMORY_FRAMES_STORE);
        // (Re)initialized: the stores hold what the changelog committed, which may be less than this instance
        // had live before; every memory is restored from the stores on its next frame.
        live.clear();
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
        Restored restored = memory(loaded, streamId);
        StarMemory memory = restored.memory();
        boolean stored = false;
        try {
            memory.update(features);
            StreamMemory next = new StreamMemory(frame.ptsMicros(), record.timestamp(), memory.coreBytes());
            MemorySnapshot published;
            byte[] snapshot;
            try {
                published = Snapshots.of(streamId, memory, next, loaded.encoder().identity(), loaded.tokenType(),
                        tokens(loaded));
                snapshot = MemorySnapshotCodec.encode(published);
            } catch (IllegalArgumentException e) {
                deadLetters.send(record, RejectionKind.MEMORY_UPDATE_FAILED, "memory snapshot would be invalid: " + e.getMessage());
                return;
            }
            memories.put(streamId, next);
            long written = next.state().length;
            if (restored.framesStored()) {
                written += putFrame(streamId, memory, memory.newestSlot());
            } else {
                // From an older release's whole state: this frame writes the split form's every frame once.
                for (int slot = 0; slot < memory.bufferedFrames(); slot++) {
                    written += putFrame(streamId, memory, slot);
                }
            }
            stored = true;
            live.put(streamId, memory);
            context.forward(new Record<>(record.key(), snapshot, record.timestamp()), FrameIntakeTopology.SNAPSHOTS);
            metrics.updated(System.nanoTime() - start, written, snapshot.length);
            listener.updated(published, window(loaded, memory));
        } finally {
            if (!stored) {
                live.remove(streamId);
            }
        }
    }

    /** The newest frames the listener wants, as the memory holds them (shared, never written again). */
    private MemoryWindow window(MemoryModel.Loaded loaded, StarMemory memory) {
        int wanted = listener.windowFrames();
        if (wanted == 0) {
            return MemoryWindow.NONE;
        }
        float[][] frames = new float[wanted][];
        long[] times = new long[wanted];
        int n = memory.newestFrames(wanted, frames, times);
        return new MemoryWindow(Arrays.copyOf(frames, n), Arrays.copyOf(times, n), loaded.star().spatialTokens(),
                loaded.star().channels());
    }

    private int putFrame(String streamId, StarMemory memory, int slot) {
        byte[] entry = memory.frameBytes(slot);
        frames.put(StreamMemoryFrames.key(streamId, slot), entry);
        return entry.length;
    }

    /** A memory and whether the frames store holds its frames (not so for an older release's whole state). */
    private record Restored(StarMemory memory, boolean framesStored) {
    }

    /**
     * The stream's live memory; else the one in the stores, or a new one (first frame, or state written under
     * another config).
     */
    private Restored memory(MemoryModel.Loaded loaded, String streamId) {
        StarMemory cached = live.get(streamId);
        if (cached != null) {
            return new Restored(cached, true);
        }
        StreamMemory stored = memories.get(streamId);
        if (stored == null) {
            log.info("Stream '{}': new memory ({} tokens when full)", streamId, loaded.star().maxTokens());
            return new Restored(new StarMemory(loaded.star(), loaded.attention()), true);
        }
        try {
            if (StarMemory.isWholeState(stored.state())) {
                log.info("Stream '{}': stored memory is an older release's whole state, storing it split", streamId);
                return new Restored(StarMemory.fromBytes(loaded.star(), loaded.attention(), stored.state()), false);
            }
            StarMemory restored = StreamMemoryFrames.restore(loaded.star(), loaded.attention(), stored, frames, streamId);
            log.info("Stream '{}': memory restored from the stores ({} frames seen, {} buffered)", streamId,
                    restored.framesSeen(), restored.bufferedFrames());
            return new Restored(restored, true);
        } catch (MemoryStateException e) {
            log.warn("Stream '{}': stored memory does not fit this service's memory config or is incomplete, starting anew: {}",
                    streamId, e.getMessage());
            return new Restored(new StarMemory(loaded.star(), loaded.attention()), true);
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
            live.remove(streamId);
            deleteFrames(streamId);
            if (memories.delete(streamId) != null) {
                context.forward(new Record<>(streamId.getBytes(StandardCharsets.UTF_8), null, now),
                        FrameIntakeTopology.SNAPSHOTS);
            }
            metrics.expired();
            listener.expired(streamId);
            log.info("Stream '{}' expired after {} without frames: intake and memory deleted", streamId, idleTimeout);
        }
    }

    private void deleteFrames(String streamId) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> stream = frames.prefixScan(StreamMemoryFrames.prefix(streamId),
                new StringSerializer())) {
            while (stream.hasNext()) {
                keys.add(stream.next().key);
            }
        }
        keys.forEach(frames::delete);
    }

    @Override
    public void close() {
        live.clear();
    }
}
