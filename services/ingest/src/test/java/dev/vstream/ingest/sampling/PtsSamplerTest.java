package dev.vstream.ingest.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PtsSamplerTest {

    /** pts as JavaCV computes them from a stream time base: 1_000_000 * ticks * num / den, truncated. */
    private static long micros(long ticks, long timeBaseDen) {
        return 1_000_000L * ticks / timeBaseDen;
    }

    private static List<Integer> keptIndices(PtsSampler sampler, long[] pts) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < pts.length; i++) {
            if (sampler.accept(pts[i])) {
                kept.add(i);
            }
        }
        return kept;
    }

    @Test
    void thirtyToFiveKeepsExactlyEverySixthFrame() {
        // MP4 at 30 fps: time base 1/15360, 512 ticks a frame, so most pts are truncated by up to a microsecond.
        long[] pts = IntStream.range(0, 300).mapToLong(i -> micros(512L * i, 15360)).toArray();
        List<Integer> kept = keptIndices(new PtsSampler(5), pts);
        assertThat(kept).hasSize(50).allSatisfy(i -> assertThat(i % 6).isZero());
        assertThat(kept).isEqualTo(IntStream.range(0, 50).map(k -> 6 * k).boxed().toList());
    }

    @Test
    void thirtyToFiveWithPtsRoundedUpOrDownStillKeepsEverySixth() {
        long[] down = IntStream.range(0, 300).mapToLong(i -> (long) Math.floor(i * 1e6 / 30) - (i % 6 == 0 ? 1 : 0)).toArray();
        long[] up = IntStream.range(0, 300).mapToLong(i -> (long) Math.ceil(i * 1e6 / 30) + 1).toArray();
        for (long[] pts : List.of(down, up)) {
            assertThat(keptIndices(new PtsSampler(5), pts)).isEqualTo(IntStream.range(0, 50).map(k -> 6 * k).boxed().toList());
        }
    }

    @Test
    void twentyFiveToOneKeepsEveryTwentyFifthFrameWithOneSecondSpacing() {
        long start = 7_000_000; // a stream that does not start at 0
        long[] pts = IntStream.range(0, 250).mapToLong(i -> start + 40_000L * i).toArray();
        List<Integer> kept = keptIndices(new PtsSampler(1), pts);
        assertThat(kept).isEqualTo(IntStream.range(0, 10).map(k -> 25 * k).boxed().toList());
        PtsSampler spacing = new PtsSampler(1);
        spacing.accept(pts[0]);
        assertThat(kept.stream().map(i -> spacing.elapsedMicros(pts[i])).toList())
                .isEqualTo(IntStream.range(0, 10).mapToObj(k -> 1_000_000L * k).toList());
    }

    @Test
    void ntscRateToFiveStaysOnTheSlotGridWithoutDrift() {
        // 29.97 fps (30000/1001) for 60 s: the kept frame for slot k is the one nearest to k * 200 ms.
        double interval = 1001.0 / 30000 * 1e6;
        long[] pts = IntStream.range(0, 1798).mapToLong(i -> Math.round(i * interval)).toArray();
        List<Integer> kept = keptIndices(new PtsSampler(5), pts);
        assertThat(kept).hasSize(300);
        for (int k = 0; k < kept.size(); k++) {
            assertThat(Math.abs(pts[kept.get(k)] - 200_000L * k)).as("slot %d", k).isLessThanOrEqualTo(Math.round(interval / 2));
        }
    }

    @Test
    void variableFrameRateGivesOneFrameNearEachSlot() {
        long seed = 42;
        SplittableRandom random = new SplittableRandom(seed);
        List<Long> list = new ArrayList<>();
        long t = 0;
        while (t < 20_000_000) {
            list.add(t);
            t += 15_000 + random.nextInt(50_000); // 15..65 ms between frames
        }
        long[] pts = list.stream().mapToLong(Long::longValue).toArray();
        PtsSampler sampler = new PtsSampler(4); // 250 ms slots
        List<Integer> kept = keptIndices(sampler, pts);
        assertThat(kept.size()).as("seed %d", seed).isBetween(79, 80);
        for (int k = 1; k < kept.size(); k++) {
            long slot = 250_000L * k;
            int i = kept.get(k);
            // kept: reached slot k less half the source interval; the frame before it had not
            assertThat(pts[i] + interval(pts, i) / 2).as("slot %d (seed %d)", k, seed).isGreaterThanOrEqualTo(slot);
            assertThat(pts[i - 1] + interval(pts, i - 1) / 2).as("frame before slot %d", k).isLessThan(slot);
            assertThat(pts[i] - pts[kept.get(k - 1)]).isGreaterThan(250_000L - 65_000);
        }
    }

    /** The sampler's source interval at frame i: the smaller of the last two pts steps. */
    private static double interval(long[] pts, int i) {
        return i < 2 ? pts[i] - pts[i - 1] : Math.min(pts[i] - pts[i - 1], pts[i - 1] - pts[i - 2]);
    }

    @Test
    void aGapSkipsToTheSlotAfterItWithoutABurst() {
        List<Long> list = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            list.add(i * 1_000_000L / 30); // 0 .. 1.967 s
        }
        for (int i = 0; i < 60; i++) {
            list.add(5_100_000 + i * 1_000_000L / 30); // resumes at 5.1 s after a 3.1 s gap
        }
        long[] pts = list.stream().mapToLong(Long::longValue).toArray();
        List<Integer> kept = keptIndices(new PtsSampler(5), pts);
        List<Long> keptPts = kept.stream().map(i -> pts[i]).toList();
        assertThat(keptPts.subList(0, 10)).isEqualTo(IntStream.range(0, 10).mapToObj(k -> k * 200_000L).toList());
        // first frame after the gap is kept at once, the next ones follow the original slot grid: 5.2, 5.4, ...
        assertThat(keptPts.get(10)).isEqualTo(5_100_000L);
        for (int k = 11; k < keptPts.size(); k++) {
            assertThat(Math.abs(keptPts.get(k) - (5_200_000L + (k - 11) * 200_000L))).isLessThanOrEqualTo(16_667);
        }
        assertThat(keptPts).hasSize(21); // 10 before the gap, 5.1 s, then 5.2 .. 7.0 s
    }

    @Test
    void aSourceSlowerThanTheTargetKeepsEveryFrame() {
        long[] pts = IntStream.range(0, 50).mapToLong(i -> 200_000L * i).toArray();
        assertThat(keptIndices(new PtsSampler(30), pts)).hasSize(50);
    }

    @Test
    void repeatedOrBackwardPtsAreNeverKept() {
        PtsSampler sampler = new PtsSampler(10);
        assertThat(sampler.accept(0)).isTrue();
        assertThat(sampler.accept(0)).isFalse();
        assertThat(sampler.accept(100_000)).isTrue();
        assertThat(sampler.accept(50_000)).isFalse();
        assertThat(sampler.accept(100_000)).isFalse();
        assertThat(sampler.accept(200_000)).isTrue();
    }

    @Test
    void rejectsANonPositiveRate() {
        assertThatThrownBy(() -> new PtsSampler(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PtsSampler(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PtsSampler(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PtsSampler(5).elapsedMicros(0)).isInstanceOf(IllegalStateException.class);
    }
}
