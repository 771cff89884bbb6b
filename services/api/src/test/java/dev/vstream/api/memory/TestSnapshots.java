package dev.vstream.api.memory;

import java.util.SplittableRandom;

/** MemorySnapshots for the services' tests (in the api test-jar). */
public final class TestSnapshots {

    private TestSnapshots() {
    }

    /**
     * A snapshot of {@code tokens} seeded random visual tokens of width {@code channels}: the first abstract, then
     * temporal, the second half spatial, two tokens per slot, 10 ms apart from {@code version} seconds; the newest
     * frame at {@code version} seconds of video and {@code newestWallClockMs} of Kafka time.
     */
    public static MemorySnapshot random(String stream, long version, long newestWallClockMs, int tokens,
                                        int channels) {
        SplittableRandom random = new SplittableRandom(version * 31 + tokens);
        float[] values = new float[tokens * channels];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        SlotKind[] kinds = new SlotKind[tokens];
        int[] slots = new int[tokens];
        long[] times = new long[tokens];
        for (int t = 0; t < tokens; t++) {
            kinds[t] = t == 0 ? SlotKind.STAR_ABSTRACT : t < tokens / 2 ? SlotKind.STAR_TEMPORAL : SlotKind.STAR_SPATIAL;
            slots[t] = t / 2;
            times[t] = version * 1_000_000L + t * 10_000L;
        }
        return new MemorySnapshot(stream, version, version * 1_000_000L, newestWallClockMs, "clip-test",
                "0".repeat(64), false, TokenType.F16, channels, kinds, slots, times, values);
    }
}
