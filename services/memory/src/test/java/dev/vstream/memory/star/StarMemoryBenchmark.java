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
 * slot and the buffer full.
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
        // what a store that keeps only bytes pays per frame on top of update: toBytes, then fromBytes
        long[] save = new long[10];
        long[] load = new long[10];
        for (int i = 0; i < save.length; i++) {
            long t0 = System.nanoTime();
            byte[] bytes = memory.toBytes();
            long t1 = System.nanoTime();
            memory = StarMemory.fromBytes(config, attention, bytes);
            long t2 = System.nanoTime();
            save[i] = t1 - t0;
            load[i] = t2 - t1;
        }
        System.out.printf(Locale.ROOT, "state round trip (%d bytes): toBytes p50 %.1f ms, fromBytes p50 %.1f ms%n",
                memory.toBytes().length, BenchFrames.percentile(save, 0.5) / 1e6,
                BenchFrames.percentile(load, 0.5) / 1e6);
    }
}
