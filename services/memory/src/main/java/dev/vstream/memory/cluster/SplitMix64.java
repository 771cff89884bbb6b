package dev.vstream.memory.cluster;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a 64-bit generator small enough to repeat bit for bit in the numpy
 * reference ({@code reference/memory/memory_reference.py}), which is why the memories use it instead of
 * {@link java.util.SplittableRandom}, whose seeding is not specified.
 */
public final class SplitMix64 {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final long UPDATE_MIX = 0xD1B54A32D192ED03L;

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** The generator of one memory update: seed XOR (update * 0xD1B54A32D192ED03), so no generator state is kept. */
    public static SplitMix64 forUpdate(long seed, long update) {
        return new SplitMix64(seed ^ (update * UPDATE_MIX));
    }

    public long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) from the top 53 bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}
