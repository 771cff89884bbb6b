package dev.vstream.memory.star;

import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.cluster.MemoryTokens;
import java.util.Arrays;
import java.util.Locale;

/**
 * Benchmark (not a test) of the STAR memory at the paper's sizes: 16x16x1024 inputs at 1 fps, 681 tokens.
 * Prints, for the first, tenth and sixtieth minute of the stream, the median and p99 of {@code update} and of
 * {@code read}, the retained heap after a full GC, and the size of the state bytes. Flat columns mean the cost
 * per frame does not grow with the stream. The first minute is the baseline of the ratios.
 *
 * <p>Frames: a scene (a fixed random map) changes every 20 to 90 s, each frame is the scene plus uniform noise,
 * so K-means has real structure. Run with {@code services/memory/bench/run.sh [minutes]}.
 */
public final class StarMemoryBenchmark {

    private static final int GRID = 16;
    private static final int CHANNELS = 1024;

    private StarMemoryBenchmark() {
    }

    public static void main(String[] args) {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        StarMemoryConfig config = StarMemoryConfig.paperClipL14();
        StarMemory memory = new StarMemory(config, SemanticAttention.random(config.attentionDim(), CHANNELS, 1));
        MemoryTokens<StarSlot> tokens = memory.newTokens();
        Frames frames = new Frames(12, 2026);
        int[] reportAt = {1, 10, 60};
        long[] update = new long[60];
        long[] read = new long[60];
        System.out.printf(Locale.ROOT, "STAR memory, paper sizes: %dx%dx%d inputs, %d tokens, N_buff %d, 1 fps%n",
                GRID, GRID, CHANNELS, config.maxTokens(), config.bufferFrames());
        System.out.printf(Locale.ROOT, "%-8s %12s %12s %12s %12s %14s %12s %10s%n", "minute", "update p50",
                "update p99", "read p50", "read p99", "retained heap", "state bytes", "p50 ratio");
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
                double updateP50 = percentile(update, 0.50);
                baseline = Double.isNaN(baseline) ? updateP50 : baseline;
                System.out.printf(Locale.ROOT, "%-8d %9.2f ms %9.2f ms %9.2f ms %9.2f ms %11.1f MB %12d %10.2f%n",
                        minute, updateP50 / 1e6, percentile(update, 0.99) / 1e6, percentile(read, 0.50) / 1e6,
                        percentile(read, 0.99) / 1e6, retainedHeap() / 1e6, memory.toBytes().length,
                        updateP50 / baseline);
            }
        }
        if (tokens.count() != config.maxTokens()) {
            throw new IllegalStateException("memory holds " + tokens.count() + " tokens, not " + config.maxTokens());
        }
    }

    /** Nearest-rank percentile of one minute's 60 samples. */
    private static double percentile(long[] samples, double q) {
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    private static long retainedHeap() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** Scenes of 20-90 s, frames = scene + U(-0.5, 0.5) noise, timestamps 1 s apart; a cheap xorshift generator. */
    private static final class Frames {

        private final float[][] scenes;
        private long state;
        private long frame;
        private int scene;
        private long sceneEnds;

        Frames(int sceneCount, long seed) {
            state = seed | 1;
            scenes = new float[sceneCount][GRID * GRID * CHANNELS];
            for (float[] s : scenes) {
                for (int i = 0; i < s.length; i++) {
                    s[i] = 2 * uniform() - 1;
                }
            }
        }

        FrameFeatures next() {
            if (frame >= sceneEnds) {
                scene = (int) ((nextLong() >>> 1) % scenes.length);
                sceneEnds = frame + 20 + (nextLong() >>> 1) % 71;
            }
            float[] mean = scenes[scene];
            float[] values = new float[mean.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = mean[i] + uniform() - 0.5f;
            }
            return new FrameFeatures(values, GRID, GRID, CHANNELS, 1_000_000L * frame++);
        }

        private long nextLong() {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            return state;
        }

        private float uniform() {
            return (nextLong() >>> 40) * 0x1.0p-24f;
        }
    }
}
