package dev.vstream.model.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.attention.KvRows;
import dev.vstream.kernels.tensor.DType;
import java.util.Arrays;
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

    @Test
    void resumedKvCachesShareTheSnapshotsPositionsAndAppendOnTheirOwn() {
        KvCache kv = new KvCache(2);
        ContextState state = new ContextState("test", List.of(kv));
        kv.append(rows(0, 3, 2), 0, 2, 4, 3);
        state.advance(3);
        ContextState.Snapshot snapshot = state.snapshot();

        KvCache first = snapshot.resume().cache(0, KvCache.class);
        KvCache second = snapshot.resume().cache(0, KvCache.class);
        assertThat(first.frozenLength()).isEqualTo(3);
        assertThat(((KvRows.F32) first.frozenRows()).keys()).as("shared, not copied")
                .isSameAs(((KvRows.F32) second.frozenRows()).keys());
        first.append(rows(10, 2, 2), 0, 2, 4, 2);
        second.append(rows(20, 1, 2), 0, 2, 4, 1);
        assertThat(first.length()).isEqualTo(5);
        assertThat(second.length()).isEqualTo(4);
        for (int p = 0; p < 3; p++) {
            assertThat(key(first, p)).isEqualTo(key(second, p)).isEqualTo(new float[] {100 * p, 100 * p + 1});
        }
        assertThat(key(first, 3)).containsExactly(1000, 1001);
        assertThat(key(first, 4)).containsExactly(1100, 1101);
        assertThat(key(second, 3)).containsExactly(2000, 2001);
        float[] value = new float[1];
        first.copyValues(4, 0, value, 0, 1);
        assertThat(value[0]).isEqualTo(-1100);

        // A contiguous reader gets the prefix copied in once; the snapshot and the other continuation are untouched.
        float[] all = first.keys();
        assertThat(first.frozenLength()).isZero();
        assertThat(Arrays.copyOf(all, 10)).containsExactly(0, 1, 100, 101, 200, 201, 1000, 1001, 1100, 1101);
        all[0] = -1;
        assertThat(key(second, 0)).containsExactly(0, 1);
        assertThat(key(snapshot.resume().cache(0, KvCache.class), 0)).containsExactly(0, 1);
        // A snapshot of a resumed context is a compact deep copy.
        ContextState resumed = new ContextState("test", List.of(second));
        resumed.advance(4);
        KvCache again = resumed.snapshot().resume().cache(0, KvCache.class);
        assertThat(again.length()).isEqualTo(4);
        assertThat(key(again, 3)).containsExactly(2000, 2001);
        assertThat(key(again, 0)).containsExactly(0, 1);
    }

    @Test
    void aBf16SnapshotRoundsTheKvCacheOnlyAndWidensExactlyOnTheWayBack() {
        KvCache kv = new KvCache(2);
        SsmState ssm = new SsmState(1, 2);
        ContextState state = new ContextState("test", List.of(kv, ssm));
        float[] source = {1.00390625f, -3.0078125f, 0.1f, 7f, 1e-3f, 2f, 65504.7f, -0f};
        kv.append(source, 0, 2, 4, 2);
        ssm.state()[0] = 0.1f;
        state.advance(2);

        ContextState.Snapshot snapshot = state.snapshot(KvPrecision.BF16);
        assertThat(snapshot.sizeInBytes()).isEqualTo(2L * 2 * 2 * Short.BYTES + 2 * Float.BYTES);
        ContextState resumed = snapshot.resume();
        KvCache frozen = resumed.cache(0, KvCache.class);
        assertThat(frozen.frozenPrecision()).isEqualTo(KvPrecision.BF16);
        assertThat(frozen.frozenLength()).isEqualTo(2);
        for (int p = 0; p < 2; p++) {
            float[] expected = {round(source[p * 4]), round(source[p * 4 + 1])};
            assertThat(key(frozen, p)).containsExactly(expected);
        }
        assertThat(resumed.cache(1, SsmState.class).state()[0]).as("recurrent state exact").isEqualTo(0.1f);
        assertThat(key(frozen, 0)[0]).as("1 + 2^-8 is a tie: rounds to even").isEqualTo(1f);

        // Own rows stay fp32; an exact snapshot of the mixed cache widens the prefix (lossless).
        frozen.append(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 0, 2, 4, 1);
        resumed.advance(1);
        KvCache exact = resumed.snapshot().resume().cache(0, KvCache.class);
        assertThat(exact.frozenPrecision()).isEqualTo(KvPrecision.F32);
        assertThat(key(exact, 1)).containsExactly(key(frozen, 1));
        assertThat(key(exact, 2)).containsExactly(0.1f, 0.2f);
        // Freezing an already bf16 prefix again shares it.
        KvCache refrozen = snapshot.resume().cache(0, KvCache.class).frozenCopy(KvPrecision.BF16);
        assertThat(refrozen.frozenRows()).isSameAs(frozen.frozenRows());
    }

    private static float round(float value) {
        return DType.bf16ToFloat(DType.bf16FromFloat(value));
    }

    private static float[] key(KvCache cache, int position) {
        float[] out = new float[cache.kvDim()];
        cache.copyKeys(position, 0, out, 0, cache.kvDim());
        return out;
    }
}
