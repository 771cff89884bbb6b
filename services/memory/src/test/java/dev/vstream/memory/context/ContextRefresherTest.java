package dev.vstream.memory.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.TestSnapshots;
import dev.vstream.api.memory.SlotKind;
import dev.vstream.api.memory.TokenType;
import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.context.prefill.MemoryWindow;
import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.context.source.ContextSource;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.KvPrecision;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The refresher on the generated demo model: latest wins, per stream in order, expiry, failures, metrics. */
class ContextRefresherTest {
    static final int VISION = 32;
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path temp;
    static LanguageModelHost.Loaded host;

    SimpleMeterRegistry meters;
    ContextStore store;
    ContextRefresher refresher;

    @BeforeAll
    static void load() {
        host = (LanguageModelHost.Loaded) LanguageModelHost.load(null, temp.resolve("demo"), VISION, 2);
    }

    @AfterAll
    static void unload() {
        host.close();
    }

    void start(int threads) {
        start(threads, 0);
    }

    void start(int threads, int windowFrames) {
        meters = new SimpleMeterRegistry();
        store = new ContextStore();
        refresher = new ContextRefresher(host, store,
                new ContextRefresher.Settings(1 << 20, threads, KvPrecision.F32, windowFrames), meters);
    }

    @org.junit.jupiter.api.Test
    void theLongWindowIsReadAfterTheMemory() throws Exception {
        start(1, 2);
        assertThat(refresher.windowFrames()).isEqualTo(2);
        float[][] frames = {new float[4 * VISION], new float[4 * VISION]};
        frames[1][3] = 1f;
        refresher.updated(snapshot("cam-w", 1), new MemoryWindow(frames, new long[] {1_000, 2_000}, 4, VISION));
        await().atMost(Duration.ofSeconds(30)).until(() -> newestVersion("cam-w") == 1);
        PrefilledContext context = store.newest("cam-w");
        assertThat(context.memoryTokens()).isEqualTo(8 + 2 * 4);
        refresher.updated(snapshot("cam-n", 1), MemoryWindow.NONE);
        await().atMost(Duration.ofSeconds(30)).until(() -> newestVersion("cam-n") == 1);
        assertThat(store.newest("cam-n").memoryTokens()).isEqualTo(8);
        assertThat(context.prefixTokens()).isGreaterThan(store.newest("cam-n").prefixTokens() + 8);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (refresher != null) {
            refresher.close();
        }
    }

    static MemorySnapshot snapshot(String stream, long version, long wallClockMs, int tokens, int channels) {
        return TestSnapshots.random(stream, version, wallClockMs, tokens, channels);
    }

    static MemorySnapshot snapshot(String stream, long version) {
        return snapshot(stream, version, 1_000 + version, 8, VISION);
    }

    double count(String outcome) {
        return meters.counter("vstream.memory.context.refreshes", "outcome", outcome).count();
    }

    double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    long newestVersion(String stream) {
        PrefilledContext c = store.newest(stream);
        return c == null ? 0 : c.memoryVersion();
    }

    @ParameterizedTest(name = "{0} refresh thread(s)")
    @ValueSource(ints = {1, 2})
    void theNewestVersionWinsAndVersionsAppearInOrder(int threads) throws Exception {
        start(threads);
        int versions = 40;
        List<MemorySnapshot> snapshots = new ArrayList<>();
        for (int v = 1; v <= versions; v++) {
            snapshots.add(snapshot("cam-1", v));
        }
        List<Long> observed = new CopyOnWriteArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofPlatform().start(() -> {
            long last = 0;
            boolean more;
            do {
                // Read once more after being stopped: on a loaded machine the watcher may first run only then.
                more = watching.get();
                long now = newestVersion("cam-1");
                if (now != last) {
                    observed.add(now);
                    last = now;
                }
                Thread.onSpinWait();
            } while (more);
        });
        for (MemorySnapshot s : snapshots) {
            refresher.updated(s, MemoryWindow.NONE);
        }
        await().atMost(WAIT).until(() -> newestVersion("cam-1") == versions);
        watching.set(false);
        watcher.join();

        assertThat(observed).isSorted().doesNotHaveDuplicates().endsWith((long) versions);
        assertThat(count("superseded")).as("versions replaced before their turn").isPositive();
        assertThat(count("prefilled") + count("superseded")).isEqualTo(versions);
        assertThat(count("prefilled")).isLessThan(versions);
        assertThat(count("failed")).isZero();
        // The store keeps the newest and the one before it, both prefilled (not superseded) versions.
        PrefilledContext previous = store.newestUpTo("cam-1", versions - 1);
        if (count("prefilled") > 1) {
            assertThat(previous).isNotNull();
            assertThat(previous.memoryVersion()).isLessThan(versions);
        } else {
            assertThat(previous).isNull();
        }
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(gauge("vstream.memory.context.staleness.versions")).isZero();
            assertThat(gauge("vstream.memory.context.staleness.seconds")).isZero();
            assertThat(gauge("vstream.memory.context.pending")).isZero();
        });
        assertThat(gauge("vstream.memory.context.bytes")).isEqualTo((double) store.bytes()).isPositive();
        assertThat(meters.get("vstream.memory.context.refresh").timer().count()).isEqualTo((long) count("prefilled"));
    }

    @ParameterizedTest(name = "{0} refresh thread(s)")
    @ValueSource(ints = {1, 2})
    void streamsAreRefreshedInParallel(int threads) throws Exception {
        start(threads);
        int streams = 4;
        int versions = 12;
        List<Thread> producers = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            String stream = "cam-p" + s;
            producers.add(Thread.ofPlatform().start(() -> {
                for (int v = 1; v <= versions; v++) {
                    refresher.updated(snapshot(stream, v), MemoryWindow.NONE);
                }
            }));
        }
        for (Thread p : producers) {
            p.join();
        }
        await().atMost(WAIT).until(() -> {
            for (int s = 0; s < streams; s++) {
                if (newestVersion("cam-p" + s) != versions) {
                    return false;
                }
            }
            return true;
        });
        assertThat(store.streams()).isEqualTo(streams);
        assertThat(count("prefilled") + count("superseded")).isEqualTo(streams * versions);
        await().atMost(WAIT).until(() -> gauge("vstream.memory.context.staleness.versions") == 0);
    }

    @Test
    void stalenessShowsALagUntilCaughtUp() throws Exception {
        start(1);
        // A long memory keeps the thread busy while newer versions wait.
        refresher.updated(snapshot("cam-s", 1, 1_001, 1500, VISION), MemoryWindow.NONE);
        await().atMost(WAIT).until(() -> gauge("vstream.memory.context.pending") == 0); // v1 is running
        refresher.updated(snapshot("cam-s", 2), MemoryWindow.NONE);
        refresher.updated(snapshot("cam-s", 3), MemoryWindow.NONE);
        assertThat(gauge("vstream.memory.context.staleness.versions")).isEqualTo(3);
        assertThat(gauge("vstream.memory.context.pending")).isEqualTo(1);
        await().atMost(WAIT).until(() -> newestVersion("cam-s") == 3);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(gauge("vstream.memory.context.staleness.versions")).isZero();
            assertThat(gauge("vstream.memory.context.staleness.seconds")).isZero();
        });
        assertThat(count("superseded")).isEqualTo(1); // version 2
        assertThat(store.newestUpTo("cam-s", 2).memoryVersion()).isEqualTo(1);
    }

    @Test
    void expiryRemovesTheStreamsContexts() {
        start(1);
        refresher.updated(snapshot("cam-x", 1), MemoryWindow.NONE);
        refresher.updated(snapshot("cam-keep", 1), MemoryWindow.NONE);
        await().atMost(WAIT).until(() -> newestVersion("cam-x") == 1 && newestVersion("cam-keep") == 1);
        refresher.expired("cam-x");
        assertThat(store.newest("cam-x")).isNull();
        assertThat(store.newestUpTo("cam-x", Long.MAX_VALUE)).isNull();
        assertThat(store.newest("cam-keep")).isNotNull();
        assertThat(store.streams()).isEqualTo(1);
    }

    @Test
    void aPrefillFinishingAfterExpiryIsNotStored() {
        start(1);
        refresher.updated(snapshot("cam-e", 5, 5_000, 1500, VISION), MemoryWindow.NONE);
        await().atMost(WAIT).until(() -> gauge("vstream.memory.context.pending") == 0); // running
        refresher.expired("cam-e");
        // Another stream after it: once that one is stored, the expired one's prefill has finished.
        refresher.updated(snapshot("cam-after", 1), MemoryWindow.NONE);
        await().atMost(WAIT).until(() -> newestVersion("cam-after") == 1);
        assertThat(store.newest("cam-e")).isNull();
        assertThat(count("prefilled")).isEqualTo(1);
    }

    @Test
    void aPrefillFinishingAfterExpiryIsNotStoredEvenWhenTheStreamBeginsAgain() {
        start(1);
        refresher.updated(snapshot("cam-r", 5, 5_000, 1500, VISION), MemoryWindow.NONE);
        await().atMost(WAIT).until(() -> gauge("vstream.memory.context.pending") == 0); // running
        refresher.expired("cam-r");
        // The stream's memory begins again (versions restart at 1) while the old memory's prefill still runs.
        MemorySnapshot again = snapshot("cam-r", 1, 90_000, 8, VISION);
        refresher.updated(again, MemoryWindow.NONE);
        await().atMost(WAIT).until(() -> store.newest("cam-r") != null
                && store.newest("cam-r").isOf(1, 90_000));
        assertThat(store.newestUpTo("cam-r", Long.MAX_VALUE).isOf(1, 90_000)).isTrue();
        assertThat(store.newestUpTo("cam-r", 4)).isNotNull();
        await().atMost(WAIT).until(() -> gauge("vstream.memory.context.staleness.versions") == 0);
        assertThat(count("prefilled")).isEqualTo(1);
    }

    @Test
    void anUnusableSnapshotFailsWithoutStoppingTheThread() {
        start(1);
        refresher.updated(snapshot("cam-u", 1, 1_001, 8, VISION + 3), MemoryWindow.NONE);
        await().atMost(WAIT).until(() -> count("failed") == 1);
        assertThat(store.newest("cam-u")).isNull();
        refresher.updated(snapshot("cam-u", 2), MemoryWindow.NONE);
        await().atMost(WAIT).until(() -> newestVersion("cam-u") == 2);
        MemorySnapshot empty = new MemorySnapshot("cam-u", 3, 0, 0, "clip-test", "0".repeat(64), false,
                TokenType.F32, VISION, new SlotKind[0], new int[0], new long[0], new float[0]);
        refresher.updated(empty, MemoryWindow.NONE);
        await().atMost(WAIT).until(() -> count("failed") == 2);
        refresher.updated(snapshot("cam-u", 4), MemoryWindow.NONE);
        await().atMost(WAIT).until(() -> newestVersion("cam-u") == 4);
        assertThat(count("prefilled")).isEqualTo(2);
    }

    // ---------------------------------------------------------------- the store

    static PrefilledContext context(String stream, long version, long wallClockMs) {
        ContextState state = new ContextState("test layout", List.of());
        state.advance(2);
        return new PrefilledContext(stream, version, version, wallClockMs, 1, "demo@test", 2, 1, false, 1, 1,
                state.snapshot());
    }

    @Test
    void theStoreKeepsTheNewestAndThePrevious() {
        ContextStore contexts = new ContextStore();
        assertThat(contexts.newest("a")).isNull();
        assertThat(contexts.newestUpTo("a", 10)).isNull();
        contexts.put(context("a", 1, 101));
        contexts.put(context("a", 2, 102));
        contexts.put(context("a", 4, 104));
        assertThat(contexts.newest("a").memoryVersion()).isEqualTo(4);
        assertThat(contexts.newestUpTo("a", Long.MAX_VALUE).memoryVersion()).isEqualTo(4);
        assertThat(contexts.newestUpTo("a", 4).memoryVersion()).isEqualTo(4);
        assertThat(contexts.newestUpTo("a", 3).memoryVersion()).isEqualTo(2);
        assertThat(contexts.newestUpTo("a", 2).memoryVersion()).isEqualTo(2);
        assertThat(contexts.newestUpTo("a", 1)).as("only newest and previous are kept").isNull();
        // An older or equal version than the newest is ignored.
        contexts.put(context("a", 3, 103));
        contexts.put(context("a", 4, 999));
        assertThat(contexts.newest("a").isOf(4, 104)).isTrue();
        assertThat(contexts.newestUpTo("a", 3).memoryVersion()).isEqualTo(2);

        assertThat(contexts.newest("b", 5, List.of())).isInstanceOf(ContextSource.Fetch.NotPrefilled.class);
        assertThat(contexts.newest("a", 3, List.of())).isInstanceOfSatisfying(ContextSource.Fetch.Found.class,
                f -> assertThat(f.context().memoryVersion()).isEqualTo(2));
        contexts.put(context("b", 7, 107));
        assertThat(contexts.streams()).isEqualTo(2);
        contexts.remove("a");
        assertThat(contexts.newest("a")).isNull();
        assertThat(contexts.streams()).isEqualTo(1);
        // After removal versions may restart.
        contexts.put(context("a", 1, 500));
        assertThat(contexts.newest("a").isOf(1, 500)).isTrue();
    }
}
