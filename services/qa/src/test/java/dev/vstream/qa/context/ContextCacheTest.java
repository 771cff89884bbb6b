package dev.vstream.qa.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.KvCache;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The QA instance's contexts: least recently used out first, bounded in bytes. */
class ContextCacheTest {

    /** A context of {@code 8 * positions} bytes (one KV cache of width 1). */
    static PrefilledContext context(String stream, long version, long wallClockMs, int positions) {
        KvCache kv = new KvCache(1);
        kv.append(new float[2 * positions], 0, 1, 2, positions);
        ContextState state = new ContextState("test layout", List.of(kv));
        state.advance(positions);
        PrefilledContext c = new PrefilledContext(stream, version, version * 1000, wallClockMs, 1, "demo@test",
                positions, 0, false, 1, 1, state.snapshot());
        assertThat(c.sizeInBytes()).isEqualTo(8L * positions);
        return c;
    }

    static ContextCache.Entry entry(String stream, long version, int positions) {
        return new ContextCache.Entry(context(stream, version, 100 + version, positions), false);
    }

    static ContextCache.Entry get(ContextCache cache, String stream, long version) {
        return cache.get(stream, version, 100 + version);
    }

    @Test
    void evictsTheLeastRecentlyUsedFirst() {
        ContextCache cache = new ContextCache(8 * 30); // room for three contexts of 10 positions
        cache.put(entry("a", 1, 10));
        cache.put(entry("b", 1, 10));
        cache.put(entry("c", 1, 10));
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.bytes()).isEqualTo(240);
        assertThat(get(cache, "a", 1)).isNotNull(); // a is now the most recently used: b is the eldest
        cache.put(entry("d", 1, 10));
        assertThat(get(cache, "b", 1)).isNull();
        assertThat(get(cache, "a", 1)).isNotNull();
        assertThat(get(cache, "c", 1)).isNotNull();
        assertThat(get(cache, "d", 1)).isNotNull();
        // Use order now: a, c, d (d, then the gets above: a, c, d). Two more evict a and c.
        cache.put(entry("e", 1, 10));
        cache.put(entry("f", 1, 10));
        assertThat(get(cache, "a", 1)).isNull();
        assertThat(get(cache, "c", 1)).isNull();
        assertThat(get(cache, "d", 1)).isNotNull();
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.bytes()).isEqualTo(240);
    }

    @Test
    void staysWithinItsBytesEvictingAsManyAsNeeded() {
        ContextCache cache = new ContextCache(8 * 100);
        for (int v = 1; v <= 9; v++) {
            cache.put(entry("s", v, 10));
        }
        assertThat(cache.size()).isEqualTo(9);
        cache.put(entry("big", 1, 75)); // needs 7 of the 9 small ones out
        assertThat(cache.bytes()).isEqualTo(8 * (75 + 20)).isLessThanOrEqualTo(800);
        assertThat(cache.size()).isEqualTo(3);
        assertThat(get(cache, "s", 7)).isNull();
        assertThat(get(cache, "s", 8)).isNotNull();
        assertThat(get(cache, "s", 9)).isNotNull();
        assertThat(get(cache, "big", 1)).isNotNull();
        cache.put(entry("exact", 1, 100)); // exactly the whole cache: everything else goes
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.bytes()).isEqualTo(800);
    }

    @Test
    void aContextLargerThanTheCacheIsNotKept() {
        ContextCache cache = new ContextCache(8 * 20);
        cache.put(entry("a", 1, 10));
        cache.put(entry("huge", 1, 21));
        assertThat(get(cache, "huge", 1)).isNull();
        assertThat(get(cache, "a", 1)).as("nothing evicted for it").isNotNull();
        assertThat(cache.bytes()).isEqualTo(80);
        // Replacing a kept context by an oversize one of the same key drops the old one and its bytes.
        cache.put(entry("a", 1, 25));
        assertThat(get(cache, "a", 1)).isNull();
        assertThat(cache.size()).isZero();
        assertThat(cache.bytes()).isZero();
        assertThatThrownBy(() -> new ContextCache(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSameKeyIsReplacedNotCountedTwice() {
        ContextCache cache = new ContextCache(8 * 30);
        cache.put(entry("a", 1, 10));
        cache.put(entry("b", 1, 10));
        ContextCache.Entry own = new ContextCache.Entry(context("a", 1, 101, 15), true);
        cache.put(own);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.bytes()).isEqualTo(8 * 25);
        assertThat(get(cache, "a", 1)).isSameAs(own);
        assertThat(get(cache, "a", 1).fallback()).isTrue();
        // Another newest frame time is another memory (versions restart): another key.
        cache.put(new ContextCache.Entry(context("a", 1, 555, 5), false));
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get("a", 1, 555)).isNotNull();
        assertThat(cache.bytes()).isEqualTo(8 * 30);
    }

    @Test
    void listsAStreamsServedContextsNewestFirst() {
        ContextCache cache = new ContextCache(1 << 20);
        cache.put(entry("a", 2, 1));
        cache.put(entry("b", 9, 1));
        cache.put(entry("a", 5, 1));
        cache.put(entry("a", 1, 1));
        cache.put(new ContextCache.Entry(context("a", 7, 7, 1), true));
        assertThat(cache.served("a")).extracting(PrefilledContext::memoryVersion).containsExactly(5L, 2L, 1L);
        assertThat(cache.served("c")).isEmpty();
    }
}
