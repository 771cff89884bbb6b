package dev.vstream.memory.flash;

import dev.vstream.memory.cluster.BenchFrames;
import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.cluster.MemoryTokens;
import java.util.Arrays;
import java.util.Locale;

/**
 * Benchmark (not a test) of Flash Memory at the released sizes (60 synopsis slots on 2x-pooled inputs, 30 detail
 * slots, a bank of 120 inputs) on 16x16x1024 inputs at 1 per second: 11,520 tokens. Same table as the STAR bench.
 * Run with {@code services/memory/bench/run.sh [minutes] flash}.
 */
public final class FlashMemoryBenchmark {

    private static final int GRID = 16;
    private static final int CHANNELS = 1024;
    /** From minute 5 every slot and the whole buffer are full: the baseline of the ratio column. */
    private static final int WARM_MINUTES = 5;

    private FlashMemoryBenchmark() {
    }

    public static void main(String[] args) {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        FlashMemoryConfig config = FlashMemoryConfig.paper(GRID, GRID, CHANNELS);
        FlashMemory memory = new FlashMemory(config);
        MemoryTokens<FlashSlot> tokens = memory.newTokens();
        BenchFrames frames = new BenchFrames(GRID, GRID, CHANNELS, 12, 2026);
        int[] reportAt = {1, 5, 10, 30, 60};
        long[] update = new long[60];
        long[] read = new long[60];
        System.out.printf(Locale.ROOT, "Flash memory, released sizes: %dx%dx%d inputs, %d tokens, bank %d, 1 per s%n",
                GRID, GRID, CHANNELS, config.maxTokens(), config.bankFrames());
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
    }
}
