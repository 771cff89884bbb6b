package dev.vstream.model.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LayerCacheTest {

    /** Rows {@code (k | v)} of width 2 * kvDim whose entries encode (position, component). */
    private static float[] rows(int first, int count, int kvDim) {
        float[] out = new float[count * 2 * kvDim];
        for (int r = 0; r < count; r++) {
            for (int d = 0; d < kvDim; d++) {
                out[r * 2 * kvDim + d] = (first + r) * 100 + d;
                out[r * 2 * kvDim + kvDim + d] = -((first + r) * 100 + d);
            }
        }
        return out;
    }

    @Test
    void kvCacheAppendsAndGrows() {
        KvCache cache = new KvCache(3);
        for (int p = 0; p < 40; p += 5) {
            cache.append(rows(p, 5, 3), 0, 3, 6, 5);
        }
        assertThat(cache.length()).isEqualTo(40);
        for (int p = 0; p < 40; p++) {
            assertThat(cache.keys()[cache.offset(p) + 2]).isEqualTo(p * 100 + 2);
            assertThat(cache.values()[cache.offset(p) + 1]).isEqualTo(-(p * 100 + 1));
        }
        assertThat(cache.sizeInBytes()).isEqualTo(2L * 40 * 3 * 4);
        assertThatThrownBy(() -> cache.offset(40)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void slidingWindowHoldsExactlyTheLastWindowPositions() {
        int window = 4;
        SlidingWindowKvCache cache = new SlidingWindowKvCache(window, 2);
        cache.append(rows(0, 3, 2), 0, 2, 4, 3);   // shorter than the window
        assertThat(cache.firstHeld()).isZero();
        cache.append(rows(3, 1, 2), 0, 2, 4, 1);   // exactly full
        cache.append(rows(4, 1, 2), 0, 2, 4, 1);   // drops position 0, keeps 1..4
        assertThat(cache.firstHeld()).isEqualTo(1);
        for (int p = 1; p <= 4; p++) {
            assertThat(cache.keys()[cache.offset(p)]).isEqualTo(p * 100);
        }
        cache.append(rows(5, 9, 2), 0, 2, 4, 9);   // a block longer than the window
        assertThat(cache.length()).isEqualTo(14);
        for (int p = 10; p < 14; p++) {
            assertThat(cache.values()[cache.offset(p) + 1]).isEqualTo(-(p * 100 + 1));
        }
        assertThatThrownBy(() -> cache.offset(9)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void convStateKeepsTheLastWidthInputsOldestFirst() {
        ConvState conv = new ConvState(4, 1);
        conv.push(new float[] {1, 2}, 0, 1, 2);
        assertThat(conv.inputs()).containsExactly(0, 0, 1, 2);
        conv.push(new float[] {3}, 0, 1, 1);
        assertThat(conv.inputs()).containsExactly(0, 1, 2, 3);
        conv.push(new float[] {4, 5, 6, 7, 8}, 0, 1, 5);
        assertThat(conv.inputs()).containsExactly(5, 6, 7, 8);
    }

    @Test
    void snapshotIsDeepAndImmutableAndResumesIndependently() {
        KvCache kv = new KvCache(2);
        SsmState ssm = new SsmState(2, 3);
        ContextState state = new ContextState("test", List.of(kv, ssm, new ConvState(4, 2), new DeltaRuleState(1, 2, 2)));
        kv.append(rows(0, 2, 2), 0, 2, 4, 2);
        ssm.state()[5] = 7f;
        state.advance(2);
        ContextState.Snapshot snapshot = state.snapshot();
        long size = snapshot.sizeInBytes();

        ssm.state()[5] = -1f;
        kv.append(rows(2, 1, 2), 0, 2, 4, 1);
        state.advance(1);

        ContextState first = snapshot.resume();
        ContextState second = snapshot.resume();
        assertThat(first.position()).isEqualTo(2);
        assertThat(first.cache(0, KvCache.class).length()).isEqualTo(2);
        assertThat(first.cache(1, SsmState.class).state()[5]).isEqualTo(7f);
        first.cache(1, SsmState.class).state()[5] = 9f;
        assertThat(second.cache(1, SsmState.class).state()[5]).isEqualTo(7f);
        assertThat(snapshot.resume().cache(1, SsmState.class).state()[5]).isEqualTo(7f);
        assertThat(snapshot.sizeInBytes()).isEqualTo(size).isEqualTo(first.sizeInBytes());
        assertThat(size).isEqualTo(2L * 2 * 2 * 4 + 6 * 4 + 8 * 4 + 4 * 4);
        assertThatThrownBy(() -> first.cache(1, KvCache.class)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("slot 1");
        assertThatThrownBy(() -> first.requireLayout("other")).isInstanceOf(IllegalArgumentException.class);
    }
}
