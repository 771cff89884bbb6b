package dev.vstream.memory.flash;

import dev.vstream.memory.cluster.AveragePooling;
import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.cluster.FrameRing;
import dev.vstream.memory.cluster.MemoryStateException;
import dev.vstream.memory.cluster.MemoryTokens;
import dev.vstream.memory.cluster.StateInput;
import dev.vstream.memory.cluster.StateOutput;
import dev.vstream.memory.cluster.StreamingKMeans;

/**
 * Flash Memory of Flash-VStream 2025: a context synopsis memory (weighted K-means of half-resolution inputs)
 * and a detail augmentation memory (full-resolution inputs nearest to the largest synopsis clusters), updated one
 * input at a time with bounded state. Tokens are read as [detail][synopsis] (the original's {@code cat_spa_tem}).
 * Not thread safe: {@link #read} also writes (the retrieval keeps its distances), so calls must not overlap.
 */
public final class FlashMemory {

    private static final int MAGIC = 0x464C5348; // "FLSH"
    private static final int VERSION = 1;
    private static final int HEADER_BYTES = 4 + 4 + 8 * 4 + 8;  // magic, version, config

    private final FlashMemoryConfig config;
    private final ContextSynopsisMemory synopsis;
    private final DetailAugmentationMemory detail;
    private final int[] detailSlots;   // (detailSlots)

    public FlashMemory(FlashMemoryConfig config) {
        this.config = config;
        this.synopsis = new ContextSynopsisMemory(config);
        this.detail = new DetailAugmentationMemory(config, synopsis);
        this.detailSlots = new int[Math.max(1, config.detailSlots())];
    }

    public FlashMemoryConfig config() {
        return config;
    }

    /** Takes one input (a frame, or a temporal patch for Qwen2-VL) into the memory. */
    public void update(FrameFeatures frame) {
        frame.requireShape(config.inputHeight(), config.inputWidth(), config.channels());
        FrameRing bank = detail.bank();
        int slot = bank.nextSlot();
        System.arraycopy(frame.values(), 0, bank.newValue(), 0, bank.valueSize());
        AveragePooling.pool(frame.values(), 0, config.inputHeight(), config.inputWidth(), config.channels(),
                config.synopsisHeight(), config.synopsisWidth(), bank.keys(), slot * bank.keySize());
        synopsis.update(bank.keys(), slot * bank.keySize(), frame.timestampMicros());
        detail.followSynopsis();
        bank.commit(frame.timestampMicros());
    }

    public MemoryTokens<FlashSlot> newTokens() {
        return new MemoryTokens<>(config.maxTokens(), config.channels());
    }

    /** Writes [detail][synopsis] tokens into {@code out}. */
    public void read(MemoryTokens<FlashSlot> out) {
        if (out.channels() != config.channels() || out.capacity() < config.maxTokens()) {
            throw new IllegalArgumentException("token buffer of " + out.capacity() + "x" + out.channels()
                    + " cannot hold " + config.maxTokens() + "x" + config.channels());
        }
        out.clear();
        FrameRing bank = detail.bank();
        int retrieved = detail.retrieve(synopsis, detailSlots);
        for (int r = 0; r < retrieved; r++) {
            int slot = detailSlots[r];
            out.append(FlashSlot.DETAIL, r, bank.timestamp(slot), bank.value(slot), 0,
                    config.detailTokens());
        }
        StreamingKMeans clusters = synopsis.clusters();
        for (int k = 0; k < clusters.count(); k++) {
            out.append(FlashSlot.SYNOPSIS, k, Math.round(clusters.time(k)), clusters.centroids(),
                    k * synopsis.dimension(), config.synopsisTokens());
        }
    }

    /**
     * Input numbers (from 0 in the stream) of the detail memory, heaviest cluster first.
     *
     * @return how many were written into {@code sequencesOut}
     */
    public int detailSequences(long[] sequencesOut) {
        int[] slots = new int[Math.max(1, config.detailSlots())];
        int n = detail.retrieve(synopsis, slots);
        for (int r = 0; r < n; r++) {
            sequencesOut[r] = detail.bank().sequence(slots[r]);
        }
        return n;
    }

    /** The synopsis clusters, for inspection (weights, times, last assignment). */
    public StreamingKMeans synopsisClusters() {
        return synopsis.clusters();
    }

    public int bankedFrames() {
        return detail.bank().size();
    }

    public long framesSeen() {
        return detail.bank().appended();
    }

    /** The state as versioned little-endian bytes: magic, version, config, bank, synopsis. */
    public byte[] toBytes() {
        StateOutput out = new StateOutput(HEADER_BYTES + detail.stateBytes() + synopsis.stateBytes());
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        writeConfig(out, config);
        detail.writeTo(out);
        synopsis.writeTo(out);
        return out.toByteArray();
    }

    /** A memory restored from {@link #toBytes()}; the bytes must come from the same config. */
    public static FlashMemory fromBytes(FlashMemoryConfig config, byte[] bytes) {
        StateInput in = new StateInput(bytes);
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new MemoryStateException(String.format("not a Flash memory state (magic %08x)", magic));
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new MemoryStateException("Flash memory state version " + version + ", this code reads " + VERSION);
        }
        FlashMemoryConfig stored = readConfig(in);
        if (!stored.equals(config)) {
            throw new MemoryStateException("Flash memory state was written for " + stored + ", not " + config);
        }
        FlashMemory memory = new FlashMemory(config);
        memory.detail.readFrom(in);
        memory.synopsis.readFrom(in);
        in.requireEnd();
        if (memory.synopsis.clusters().updates() != memory.detail.bank().appended()) {
            throw new MemoryStateException("Flash memory state is inconsistent: bank saw "
                    + memory.detail.bank().appended() + " inputs, synopsis " + memory.synopsis.clusters().updates());
        }
        return memory;
    }

    private static void writeConfig(StateOutput out, FlashMemoryConfig c) {
        int[] ints = {c.inputHeight(), c.inputWidth(), c.channels(), c.poolSize(), c.synopsisSlots(),
            c.detailSlots(), c.bankFrames(), c.kmeansIterations()};
        for (int v : ints) {
            out.writeInt(v);
        }
        out.writeLong(c.seed());
    }

    private static FlashMemoryConfig readConfig(StateInput in) {
        int[] v = new int[8];
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readInt();
        }
        long seed = in.readLong();
        try {
            return new FlashMemoryConfig(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], seed);
        } catch (IllegalArgumentException e) {
            throw new MemoryStateException("Flash memory state holds an invalid config", e);
        }
    }
}
