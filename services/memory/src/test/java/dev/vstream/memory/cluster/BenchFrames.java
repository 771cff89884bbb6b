package dev.vstream.memory.cluster;

import java.util.Arrays;
import java.util.Locale;

/**
 * Frames for the memory benchmarks: a scene (a fixed random map) changes every 20 to 90 s, each frame is the scene
 * plus U(-0.5, 0.5) noise, one frame per second; a cheap xorshift generator keeps frame making out of the way.
 * Also the benchmarks' two measurements: a nearest-rank percentile and the heap retained after full GCs.
 */
public final class BenchFrames {

    private final int height;
    private final int width;
    private final int channels;
    private final float[][] scenes;   // (scene) -> (height, width, channels)
    private long state;
    private long frame;
    private int scene;
    private long sceneEnds;

    public BenchFrames(int height, int width, int channels, int sceneCount, long seed) {
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.state = seed | 1;
        this.scenes = new float[sceneCount][height * width * channels];
        for (float[] s : scenes) {
            for (int i = 0; i < s.length; i++) {
                s[i] = 2 * uniform() - 1;
            }
        }
    }

    public FrameFeatures next() {
        if (frame >= sceneEnds) {
            scene = (int) ((nextLong() >>> 1) % scenes.length);
            sceneEnds = frame + 20 + (nextLong() >>> 1) % 71;
        }
        float[] mean = scenes[scene];
        float[] values = new float[mean.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = mean[i] + uniform() - 0.5f;
        }
        return new FrameFeatures(values, height, width, channels, 1_000_000L * frame++);
    }

    public static void printHeader() {
        System.out.printf(Locale.ROOT, "%-8s %12s %12s %12s %12s %14s %12s %10s%n", "minute", "update p50",
                "update p99", "read p50", "read p99", "retained heap", "state bytes", "p50 ratio");
    }

    /** One row: percentiles of one minute's update and read times (ns), heap after GCs, state size, ratio or NaN. */
    public static void printRow(int minute, long[] update, long[] read, int stateBytes, double ratio) {
        System.out.printf(Locale.ROOT, "%-8d %9.2f ms %9.2f ms %9.2f ms %9.2f ms %11.1f MB %12d %10s%n", minute,
                percentile(update, 0.50) / 1e6, percentile(update, 0.99) / 1e6, percentile(read, 0.50) / 1e6,
                percentile(read, 0.99) / 1e6, retainedHeap() / 1e6, stateBytes,
                Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio));
    }

    /** Nearest-rank percentile of {@code samples}. */
    public static double percentile(long[] samples, double q) {
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    /** Heap in use after three full GCs. */
    public static long retainedHeap() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
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
