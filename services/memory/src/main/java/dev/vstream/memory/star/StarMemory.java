package dev.vstream.memory.star;

import dev.vstream.memory.cluster.AveragePooling;
import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.cluster.FrameRing;
import dev.vstream.memory.cluster.MemoryStateException;
import dev.vstream.memory.cluster.MemoryTokens;
import dev.vstream.memory.cluster.NearestFrames;
import dev.vstream.memory.cluster.StateInput;
import dev.vstream.memory.cluster.StateOutput;
import dev.vstream.memory.cluster.StreamingKMeans;
import java.util.function.IntFunction;

/**
 * STAR memory of Flash-VStream 2024 (spatial, temporal, abstract, retrieved), updated one frame at a time.
 *
 * <p>Per frame: average-pool to P_spa x P_spa; keep it in a bounded buffer of the newest N_buff frames (the
 * newest N_spa of which are the spatial memory); pool on to P_tem x P_tem for the temporal memory (streaming
 * weighted K-means with cluster weights carried across updates) and to P_abs x P_abs for the abstract memory
 * (semantic-attention momentum update). Retrieval, at read time, takes the N_ret heaviest temporal clusters and
 * for each the buffered frame whose P_tem copy is nearest to the centroid (paper, Algorithm 3; the original code
 * indexes frames by cluster id instead). Every update costs the same once the memory is full: all state is
 * preallocated from the config.
 *
 * <p>Tokens are read as [abstract][temporal][retrieved][spatial], 681 with the paper's sizes. Not thread safe:
 * {@link #read} also writes (the retrieval keeps its distances), so calls to {@link #update}, {@link #read},
 * {@link #toBytes}, {@link #coreBytes} and {@link #frameBytes} must not overlap; a caller serving readers on other
 * threads serializes them or hands out copies of the tokens.
 */
public final class StarMemory {

    private static final int MAGIC = 0x53544152;        // "STAR": the whole state, toBytes
    private static final int CORE_MAGIC = 0x53545243;   // "STRC": everything but the buffered frames, coreBytes
    private static final int FRAME_MAGIC = 0x53545246;  // "STRF": one buffered frame, frameBytes
    private static final int VERSION = 1;
    private static final int HEADER_BYTES = 4 + 4 + 14 * 4 + 8 + 8;  // magic, version, config
    private static final int FRAME_HEADER_BYTES = 4 + 4 + 8;          // magic, version, sequence

    private final StarMemoryConfig config;
    private final FrameRing buffer;          // keys (P_tem^2, C), values (P_spa^2, C)
    private final StreamingKMeans temporal;  // centroids (N_tem, P_tem^2 * C)
    private final NearestFrames retrieval;   // buffered frames nearest to the centroids, distances kept
    private final AbstractMemory abstractMemory;
    private final float[] abstractTokens;    // (P_abs^2, C) scratch
    private final int[] heaviest;            // (N_ret)

    public StarMemory(StarMemoryConfig config, SemanticAttention attention) {
        this.config = config;
        int channels = config.channels();
        this.buffer = new FrameRing(config.bufferFrames(), config.temporalTokens() * channels,
                config.spatialTokens() * channels);
        this.temporal = new StreamingKMeans(config.temporalSlots(), config.temporalTokens() * channels,
                config.kmeansIterations(), config.seed());
        this.retrieval = new NearestFrames(temporal, buffer);
        this.abstractMemory = new AbstractMemory(config, attention);
        this.abstractTokens = new float[config.abstractTokens() * channels];
        this.heaviest = new int[Math.max(1, config.retrievedFrames())];
    }

    public StarMemoryConfig config() {
        return config;
    }

    /** Takes one frame into the memory. */
    public void update(FrameFeatures frame) {
        frame.requireShape(config.inputHeight(), config.inputWidth(), config.channels());
        int channels = config.channels();
        int slot = buffer.nextSlot();
        float[] spatial = buffer.newValue();
        AveragePooling.pool(frame.values(), 0, config.inputHeight(), config.inputWidth(), channels,
                config.spatialPool(), spatial, 0);
        AveragePooling.pool(spatial, 0, config.spatialPool(), config.spatialPool(), channels,
                config.temporalPool(), buffer.keys(), slot * buffer.keySize());
        AveragePooling.pool(spatial, 0, config.spatialPool(), config.spatialPool(), channels,
                config.abstractPool(), abstractTokens, 0);
        temporal.update(buffer.keys(), slot * buffer.keySize(), frame.timestampMicros());
        retrieval.follow();
        abstractMemory.update(abstractTokens, 0, frame.timestampMicros());
        buffer.commit(frame.timestampMicros());
    }

    /** A token buffer big enough for this memory. */
    public MemoryTokens<StarSlot> newTokens() {
        return new MemoryTokens<>(config.maxTokens(), config.channels());
    }

    /** Writes the memory's tokens, [abstract][temporal][retrieved][spatial], into {@code out}. */
    public void read(MemoryTokens<StarSlot> out) {
        if (out.channels() != config.channels() || out.capacity() < config.maxTokens()) {
            throw new IllegalArgumentException("token buffer of " + out.capacity() + "x" + out.channels()
                    + " cannot hold " + config.maxTokens() + "x" + config.channels());
        }
        out.clear();
        int channels = config.channels();
        int perAbstractSlot = config.abstractTokens();
        for (int t = 0; t < abstractMemory.tokens(); t++) {
            out.append(StarSlot.ABSTRACT, t / perAbstractSlot, abstractMemory.timestampMicros(t),
                    abstractMemory.memory(), t * channels, 1);
        }
        int dim = config.temporalTokens() * channels;
        for (int k = 0; k < temporal.count(); k++) {
            out.append(StarSlot.TEMPORAL, k, Math.round(temporal.time(k)), temporal.centroids(), k * dim,
                    config.temporalTokens());
        }
        int retrieved = retrieveSlots(heaviest);
        for (int r = 0; r < retrieved; r++) {
            int slot = heaviest[r];
            out.append(StarSlot.RETRIEVED, r, buffer.timestamp(slot), buffer.value(slot), 0,
                    config.spatialTokens());
        }
        int held = buffer.size();
        int spatialFrames = Math.min(config.spatialFrames(), held);
        for (int j = 0; j < spatialFrames; j++) {
            int slot = buffer.slotByAge(held - spatialFrames + j);
            out.append(StarSlot.SPATIAL, j, buffer.timestamp(slot), buffer.value(slot), 0,
                    config.spatialTokens());
        }
    }

    /**
     * The newest {@code count} buffered frames at P_spa (fewer while fewer are held), oldest first: each frame's
     * value {@code (P_spa^2, C)} as the buffer holds it (never written again, so it may be read on another thread
     * while the memory moves on) into {@code valuesOut}, its time into {@code timestampsOut}.
     *
     * @return how many were written
     */
    public int newestFrames(int count, float[][] valuesOut, long[] timestampsOut) {
        int held = buffer.size();
        int n = Math.min(Math.min(count, held), Math.min(valuesOut.length, timestampsOut.length));
        for (int j = 0; j < n; j++) {
            int slot = buffer.slotByAge(held - n + j);
            valuesOut[j] = buffer.value(slot);
            timestampsOut[j] = buffer.timestamp(slot);
        }
        return n;
    }

    /**
     * Frame numbers (from 0 in the stream) of the retrieved memory, heaviest cluster first.
     *
     * @return how many were written into {@code sequencesOut}
     */
    public int retrievedSequences(long[] sequencesOut) {
        int[] slots = new int[Math.max(1, config.retrievedFrames())];
        int n = retrieveSlots(slots);
        for (int r = 0; r < n; r++) {
            sequencesOut[r] = buffer.sequence(slots[r]);
        }
        return n;
    }

    /** Buffer slots nearest to the heaviest clusters' centroids (paper, Algorithm 3); duplicates are kept. */
    private int retrieveSlots(int[] slotsOut) {
        if (config.retrievedFrames() == 0 || buffer.size() == 0) {
            return 0;
        }
        int n = temporal.heaviest(config.retrievedFrames(), slotsOut);
        for (int r = 0; r < n; r++) {
            slotsOut[r] = retrieval.nearest(slotsOut[r]);
        }
        return n;
    }

    /** The temporal memory, for inspection (weights, times, last assignment). */
    public StreamingKMeans temporal() {
        return temporal;
    }

    /** Frames currently in the feature buffer (at most N_buff). */
    public int bufferedFrames() {
        return buffer.size();
    }

    /** Frames seen since the start. */
    public long framesSeen() {
        return buffer.appended();
    }

    /**
     * Slot of the feature buffer that the last {@link #update} wrote (the evicted frame's, once the buffer is
     * full), or -1 before the first frame: the one {@link #frameBytes} entry that changed with that update.
     */
    public int newestSlot() {
        return buffer.newestSlot();
    }

    /**
     * The whole state as versioned little-endian bytes: magic, version, config, buffer (frame count, then
     * {@link #frameBytes}' frame part for each held slot, oldest first), temporal, abstract. The split form,
     * {@link #coreBytes()} plus one {@link #frameBytes} per slot, is written by the same code piece by piece.
     */
    public byte[] toBytes() {
        StateOutput out = new StateOutput(HEADER_BYTES + buffer.stateBytes() + temporal.stateBytes()
                + abstractMemory.stateBytes());
        writeHeader(out, MAGIC);
        buffer.writeTo(out);
        temporal.writeTo(out);
        abstractMemory.writeTo(out);
        return out.toByteArray();
    }

    /**
     * The state without the buffered frames, versioned little-endian bytes: magic "STRC", version, config, frame
     * count, temporal, abstract. With one {@link #frameBytes} per held slot it is the whole state
     * ({@link #fromParts}); an update changes the core and exactly one frame entry, {@link #newestSlot()}.
     */
    public byte[] coreBytes() {
        StateOutput out = new StateOutput(HEADER_BYTES + 8 + temporal.stateBytes() + abstractMemory.stateBytes());
        writeHeader(out, CORE_MAGIC);
        buffer.writeCount(out);
        temporal.writeTo(out);
        abstractMemory.writeTo(out);
        return out.toByteArray();
    }

    /**
     * One buffered frame as versioned little-endian bytes: magic "STRF", version, its frame number in the stream
     * (so an entry left over from an older frame in that slot is refused), timestamp, key (P_tem^2 x C) and value
     * (P_spa^2 x C).
     *
     * @param slot a slot in [0, {@link #bufferedFrames()})
     */
    public byte[] frameBytes(int slot) {
        StateOutput out = new StateOutput(FRAME_HEADER_BYTES + buffer.slotBytes());
        out.writeInt(FRAME_MAGIC);
        out.writeInt(VERSION);
        out.writeLong(buffer.expectedSequence(slot));
        buffer.writeSlot(out, slot);
        return out.toByteArray();
    }

    /** Whether {@code bytes} look like {@link #toBytes()} (its magic) rather than {@link #coreBytes()}. */
    public static boolean isWholeState(byte[] bytes) {
        return bytes.length >= 4 && new StateInput(bytes).readInt() == MAGIC;
    }

    /** A memory restored from {@link #toBytes()}; the bytes must come from the same config. */
    public static StarMemory fromBytes(StarMemoryConfig config, SemanticAttention attention, byte[] bytes) {
        StateInput in = new StateInput(bytes);
        readHeader(in, MAGIC, config);
        StarMemory memory = new StarMemory(config, attention);
        memory.buffer.readFrom(in);
        memory.temporal.readFrom(in);
        memory.abstractMemory.readFrom(in);
        in.requireEnd();
        return memory.checked();
    }

    /**
     * A memory restored from its split form: {@link #coreBytes()} and, for each slot in [0, frames held), that
     * slot's {@link #frameBytes}, from {@code frameAt} (null when there is none, which is refused). Equal, byte
     * for byte, to the memory that wrote them.
     */
    public static StarMemory fromParts(StarMemoryConfig config, SemanticAttention attention, byte[] core,
                                       IntFunction<byte[]> frameAt) {
        StateInput in = new StateInput(core);
        readHeader(in, CORE_MAGIC, config);
        StarMemory memory = new StarMemory(config, attention);
        memory.buffer.readCount(in);
        memory.temporal.readFrom(in);
        memory.abstractMemory.readFrom(in);
        in.requireEnd();
        memory.checked();
        for (int slot = 0; slot < memory.buffer.size(); slot++) {
            byte[] bytes = frameAt.apply(slot);
            if (bytes == null) {
                throw new MemoryStateException("STAR memory state has no frame in buffer slot " + slot + " of "
                        + memory.buffer.size());
            }
            StateInput frame = new StateInput(bytes);
            int magic = frame.readInt();
            int version = frame.readInt();
            if (magic != FRAME_MAGIC || version != VERSION) {
                throw new MemoryStateException(String.format("buffer slot %d: not a STAR frame of version %d "
                        + "(magic %08x, version %d)", slot, VERSION, magic, version));
            }
            long sequence = frame.readLong();
            long expected = memory.buffer.expectedSequence(slot);
            if (sequence != expected) {
                throw new MemoryStateException("buffer slot " + slot + " holds frame " + sequence + ", the core "
                        + "expects frame " + expected);
            }
            memory.buffer.readSlot(frame, slot);
            frame.requireEnd();
        }
        return memory;
    }

    private StarMemory checked() {
        if (temporal.updates() != buffer.appended()) {
            throw new MemoryStateException("STAR memory state is inconsistent: buffer saw "
                    + buffer.appended() + " frames, temporal memory " + temporal.updates());
        }
        return this;
    }

    private void writeHeader(StateOutput out, int magic) {
        out.writeInt(magic);
        out.writeInt(VERSION);
        writeConfig(out, config);
    }

    private static void readHeader(StateInput in, int expectedMagic, StarMemoryConfig config) {
        int magic = in.readInt();
        if (magic != expectedMagic) {
            throw new MemoryStateException(String.format("not a STAR memory %s (magic %08x)",
                    expectedMagic == MAGIC ? "state" : "core", magic));
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new MemoryStateException("STAR memory state version " + version + ", this code reads " + VERSION);
        }
        StarMemoryConfig stored = readConfig(in);
        if (!stored.equals(config)) {
            throw new MemoryStateException("STAR memory state was written for " + stored + ", not " + config);
        }
    }

    private static void writeConfig(StateOutput out, StarMemoryConfig c) {
        int[] ints = {c.inputHeight(), c.inputWidth(), c.channels(), c.spatialPool(), c.temporalPool(),
            c.abstractPool(), c.spatialFrames(), c.temporalSlots(), c.abstractSlots(), c.retrievedFrames(),
            c.bufferFrames(), c.abstractChunkFrames(), c.attentionDim(), c.kmeansIterations()};
        for (int v : ints) {
            out.writeInt(v);
        }
        out.writeDouble(c.abstractUpdateRatio());
        out.writeLong(c.seed());
    }

    private static StarMemoryConfig readConfig(StateInput in) {
        int[] v = new int[14];
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readInt();
        }
        double ratio = in.readDouble();
        long seed = in.readLong();
        try {
            return new StarMemoryConfig(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], ratio,
                    v[11], v[12], v[13], seed);
        } catch (IllegalArgumentException e) {
            throw new MemoryStateException("STAR memory state holds an invalid config", e);
        }
    }
}
