package dev.vstream.memory.star;

import dev.vstream.memory.cluster.BenchFrames;
import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.cluster.MemoryTokens;
import java.util.Arrays;
import java.util.Locale;

/**
 * Benchmark (not a test) of the STAR memory at the paper's sizes: 16x16x1024 inputs at 1 fps, 681 tokens.
 * Prints, for minutes 1, 5 (the buffer is full), 10, 30 and 60 of the stream, the median and p99 of
 * {@code update} and of {@code read}, the retained heap after a full GC, and the size of the state bytes. Flat
 * columns mean the cost per frame does not grow with the stream. Ratios are to minute 5, the first with every
 * slot and the buffer full. Then the per-frame store round trip of the memory-update processor, whole state
 * (restore, update, serialize, about 100 MB to the changelog) against the live memory with its split state (core
 * plus one frame entry), and the one-time rebuild of a memory from its split state.
 *
 * <p>Frames: {@link BenchFrames}, scenes of 20 to 90 s plus noise, so K-means has real structure. Run with
 * {@code services/memory/bench/run.sh [minutes]}.
 */
public final class StarMemoryBenchmark {

    private static final int GRID = 16;
    private static final int CHANNELS = 1024;
    /** From minute 5 every slot and the whole buffer are full: the baseline of the ratio column. */
    private static final int WARM_MINUTES = 5;

    private StarMemoryBenchmark() {
    }

    public static void main(String[] args) {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        StarMemoryConfig config = StarMemoryConfig.paperClipL14();
        SemanticAttention attention = SemanticAttention.random(config.attentionDim(), CHANNELS, 1);
        StarMemory memory = new StarMemory(config, attention);
        MemoryTokens<StarSlot> tokens = memory.newTokens();
        BenchFrames frames = new BenchFrames(GRID, GRID, CHANNELS, 12, 2026);
        int[] reportAt = {1, 5, 10, 30, 60};
        long[] update = new long[60];
        long[] read = new long[60];
        System.out.printf(Locale.ROOT, "STAR memory, paper sizes: %dx%dx%d inputs, %d tokens, N_buff %d, 1 fps%n",
                GRID, GRID, CHANNELS, config.maxTokens(), config.bufferFrames());
        BenchFrames.printHeader();
        double baseline = Double.NaN;
        for (int minute = 1; minute <= minutes; minute++) {
            for (int s = 0; s < 60; s++) {
                FrameFeatures frame = frames.next();
                long t0 = System.nanoTime();
                memory.update(frame);
                long t1 = System.nanoTime();
                memory.read(tokens);
                long t2 = System.nanoTime();
                update[s] = t1 - t0;
                read[s] = t2 - t1;
            }
            if (Arrays.binarySearch(reportAt, minute) >= 0 || minute == minutes) {
                double updateP50 = BenchFrames.percentile(update, 0.50);
                if (Double.isNaN(baseline) && minute >= WARM_MINUTES) {
                    baseline = updateP50;
                }
                BenchFrames.printRow(minute, update, read, memory.toBytes().length, updateP50 / baseline);
            }
        }
        if (tokens.count() != config.maxTokens()) {
            throw new IllegalStateException("memory holds " + tokens.count() + " tokens, not " + config.maxTokens());
        }
        storeRoundTrip(config, attention, memory, frames);
    }

    /** Bytes {@code StreamMemorySerde} puts before the state: version byte, newest pts, newest wall clock. */
    private static final int STREAM_MEMORY_HEADER = 1 + 2 * Long.BYTES;
    private static final String STREAM_ID = "bench-cam";
    private static final int ROUND_TRIP_FRAMES = 30;

    /**
     * The store round trip the memory-update processor pays per frame, on top of the update itself, with the
     * buffer full, for {@link #ROUND_TRIP_FRAMES} frames each way:
     * <ul>
     *   <li>whole state (before): restore the memory from the stored {@link StarMemory#toBytes()}, update, write
     *       the whole state back (the value the changelog gets: serde header + state);</li>
     *   <li>split (after): the live memory is updated in place, then its {@link StarMemory#coreBytes()} and the
     *       one new {@link StarMemory#frameBytes} entry are written (serde header + core, stream id + "/" + slot
     *       key + frame entry).</li>
     * </ul>
     * Also the one-time cost of the split form: rebuilding a memory from core + N_buff frame entries
     * ({@link StarMemory#fromParts}), paid once per stream after a task is (re)assigned.
     */
    private static void storeRoundTrip(StarMemoryConfig config, SemanticAttention attention, StarMemory memory,
                                       BenchFrames frames) {
        int n = ROUND_TRIP_FRAMES;
        long[] restore = new long[n];
        long[] update = new long[n];
        long[] write = new long[n];
        long[] bytes = new long[n];
        byte[] stored = memory.toBytes();
        for (int i = 0; i < n; i++) {
            FrameFeatures frame = frames.next();
            long t0 = System.nanoTime();
            StarMemory restored = StarMemory.fromBytes(config, attention, stored);
            long t1 = System.nanoTime();
            restored.update(frame);
            long t2 = System.nanoTime();
            stored = restored.toBytes();
            long t3 = System.nanoTime();
            restore[i] = t1 - t0;
            update[i] = t2 - t1;
            write[i] = t3 - t2;
            bytes[i] = STREAM_MEMORY_HEADER + stored.length + STREAM_ID.length();
        }
        StarMemory live = StarMemory.fromBytes(config, attention, stored);
        long[] liveRestore = new long[n];
        long[] liveUpdate = new long[n];
        long[] liveWrite = new long[n];
        long[] liveBytes = new long[n];
        byte[][] entries = new byte[config.bufferFrames()][];
        byte[] core = null;
        for (int i = 0; i < n; i++) {
            FrameFeatures frame = frames.next();
            long t0 = System.nanoTime();
            live.update(frame);
            long t1 = System.nanoTime();
            core = live.coreBytes();
            int slot = live.newestSlot();
            byte[] entry = live.frameBytes(slot);
            long t2 = System.nanoTime();
            liveUpdate[i] = t1 - t0;
            liveWrite[i] = t2 - t1;
            liveBytes[i] = STREAM_MEMORY_HEADER + core.length + STREAM_ID.length()
                    + entry.length + (STREAM_ID + "/" + slot).length();
        }
        for (int slot = 0; slot < entries.length; slot++) {
            entries[slot] = live.frameBytes(slot);
        }
        long[] rebuild = new long[5];
        for (int i = 0; i < rebuild.length; i++) {
            long t0 = System.nanoTime();
            StarMemory rebuilt = StarMemory.fromParts(config, attention, core, slot -> entries[slot]);
            rebuild[i] = System.nanoTime() - t0;
            if (i == 0 && !Arrays.equals(rebuilt.toBytes(), live.toBytes())) {
                throw new IllegalStateException("the split form does not restore the live memory");
            }
        }
        System.out.printf(Locale.ROOT, "%nStore round trip per frame, buffer full, p50 (p99) of %d frames:%n", n);
        System.out.println("| state kept as | restore | update | write state | round trip total | changelog bytes/frame |");
        System.out.println("|---|---|---|---|---|---|");
        row("whole state, restored per frame (before)", restore, update, write, bytes);
        row("live memory + core + 1 frame entry (after)", liveRestore, liveUpdate, liveWrite, liveBytes);
        System.out.printf(Locale.ROOT, "one-time rebuild from core (%,d B) + %d frame entries (%,d B each): p50 %.1f ms%n",
                core.length, entries.length, entries[0].length, BenchFrames.percentile(rebuild, 0.5) / 1e6);
    }

    private static void row(String name, long[] restore, long[] update, long[] write, long[] bytes) {
        long[] total = new long[restore.length];
        for (int i = 0; i < total.length; i++) {
            total[i] = restore[i] + update[i] + write[i];
        }
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %,d |%n", name, ms(restore), ms(update), ms(write),
                ms(total), (long) BenchFrames.percentile(bytes, 0.5));
    }

    private static String ms(long[] nanos) {
        return String.format(Locale.ROOT, "%.2f ms (%.2f)", BenchFrames.percentile(nanos, 0.5) / 1e6,
                BenchFrames.percentile(nanos, 0.99) / 1e6);
    }
}
