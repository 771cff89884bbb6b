package dev.vstream.model.lm;

import dev.vstream.kernels.attention.KvRows;
import dev.vstream.kernels.tensor.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * Keys and values of every position so far, for a full (global) attention layer. Position
 * major: position {@code p}'s keys are {@code kvDim} floats, heads concatenated, the layout of the
 * K and V projections.
 *
 * <p>Two runs of positions: a frozen prefix ({@link #frozenRows()}, positions
 * {@code 0 .. frozenLength() - 1}), shared with the {@link ContextState.Snapshot} it was resumed
 * from and never written, fp32 or bf16 ({@link KvPrecision}); then the cache's own fp32 rows
 * ({@link #ownRows()}), appended, growing by doubling. Resuming a long context so copies
 * nothing. Readers that want one contiguous fp32 array ({@link #keys()}, {@link #values()}) get
 * the prefix copied (widened) in once on their first call; {@link #copyKeys} and
 * {@link #copyValues} read any position of either run in place.
 */
public final class KvCache implements LayerCache {

    private static final float[] NONE = new float[0];

    private final int kvDim;
    private KvRows frozen = KvRows.EMPTY; // read-only: a snapshot's
    private float[] keys;   // (capacity, kvDim): positions frozenLength() ..
    private float[] values; // (capacity, kvDim)
    private int length;     // positions held in total

    /** @param kvDim key-value heads times head width */
    public KvCache(int kvDim) {
        if (kvDim <= 0) {
            throw new IllegalArgumentException("kvDim must be positive, got " + kvDim);
        }
        this.kvDim = kvDim;
        this.keys = NONE;
        this.values = NONE;
    }

    private KvCache(int kvDim, KvRows frozen, float[] keys, float[] values, int length) {
        this.kvDim = kvDim;
        this.frozen = frozen;
        this.keys = keys;
        this.values = values;
        this.length = length;
    }

    /**
     * A cache of exactly {@code length} fp32 positions whose keys and values are the given arrays
     * (taken over, not copied), each of {@code length * kvDim} entries; for
     * {@link ContextStateCodec}, which checks the sizes first.
     */
    static KvCache of(int kvDim, int length, float[] keys, float[] values) {
        if (kvDim <= 0 || length < 0 || (long) length * kvDim != keys.length || keys.length != values.length) {
            throw new IllegalArgumentException("KV cache of " + length + " x " + kvDim + " given arrays of "
                    + keys.length + " and " + values.length);
        }
        return new KvCache(kvDim, KvRows.EMPTY, keys, values, length);
    }

    /** A frozen bf16 cache of exactly {@code length} positions over the given bit patterns (taken over); for the codec. */
    static KvCache ofBf16(int kvDim, int length, short[] keys, short[] values) {
        if (kvDim <= 0 || length < 0 || (long) length * kvDim != keys.length || keys.length != values.length) {
            throw new IllegalArgumentException("bf16 KV cache of " + length + " x " + kvDim + " given arrays of "
                    + keys.length + " and " + values.length);
        }
        return new KvCache(kvDim, new KvRows.Bf16(keys, values, length), NONE, NONE, length);
    }

    public int kvDim() {
        return kvDim;
    }

    /** Positions held, {@code 0 .. length - 1}. */
    public int length() {
        return length;
    }

    /** Positions in the frozen prefix (0 when none). */
    public int frozenLength() {
        return frozen.rows();
    }

    /** The frozen prefix, positions {@code 0 .. frozenLength() - 1}; never write to it. */
    public KvRows frozenRows() {
        return frozen;
    }

    /** The own rows, positions {@code frozenLength() .. length - 1}, fp32 from row 0 of the arrays. */
    public KvRows ownRows() {
        return new KvRows.F32(keys, values, length - frozen.rows());
    }

    /** How the frozen prefix is stored; fp32 when there is none. */
    public KvPrecision frozenPrecision() {
        return frozen instanceof KvRows.Bf16 ? KvPrecision.BF16 : KvPrecision.F32;
    }

    /** Copies {@code width} keys of {@code position} from column {@code column} into {@code dst} (widened if bf16). */
    public void copyKeys(int position, int column, float[] dst, int dstOffset, int width) {
        copy(true, position, column, dst, dstOffset, width);
    }

    /** Copies {@code width} values of {@code position} from column {@code column}, as {@link #copyKeys}. */
    public void copyValues(int position, int column, float[] dst, int dstOffset, int width) {
        copy(false, position, column, dst, dstOffset, width);
    }

    private void copy(boolean key, int position, int column, float[] dst, int dstOffset, int width) {
        Objects.checkIndex(position, length);
        Objects.checkFromIndexSize(column, width, kvDim);
        int prefix = frozen.rows();
        if (position >= prefix) {
            System.arraycopy(key ? keys : values, (position - prefix) * kvDim + column, dst, dstOffset, width);
            return;
        }
        int from = position * kvDim + column;
        switch (frozen) {
            case KvRows.F32 f -> System.arraycopy(key ? f.keys() : f.values(), from, dst, dstOffset, width);
            case KvRows.Bf16 b -> {
                short[] bits = key ? b.keys() : b.values();
                for (int i = 0; i < width; i++) {
                    dst[dstOffset + i] = DType.bf16ToFloat(bits[from + i]);
                }
            }
        }
    }

    /**
     * All keys contiguous fp32 {@code (capacity, kvDim)}, valid up to {@code length * kvDim}; a
     * frozen prefix is copied (widened) in first, once.
     */
    public float[] keys() {
        unshare();
        return keys;
    }

    /** All values contiguous, as {@link #keys()}. */
    public float[] values() {
        unshare();
        return values;
    }

    /** Offset of position {@code p} in {@link #keys()} and {@link #values()}. */
    public int offset(int position) {
        Objects.checkIndex(position, length);
        return position * kvDim;
    }

    /**
     * Appends {@code positions} rows read from {@code source}: row {@code r}'s keys at
     * {@code keyOffset + r * rowStride}, its values at {@code valueOffset + r * rowStride} (a
     * fused QKV projection's output is read in place).
     */
    public void append(float[] source, int keyOffset, int valueOffset, int rowStride, int positions) {
        int own = length - frozen.rows();
        ensureCapacity(Math.addExact(own, positions));
        for (int r = 0; r < positions; r++) {
            System.arraycopy(source, keyOffset + r * rowStride, keys, (own + r) * kvDim, kvDim);
            System.arraycopy(source, valueOffset + r * rowStride, values, (own + r) * kvDim, kvDim);
        }
        length += positions;
    }

    private void ensureCapacity(int ownPositions) {
        long needed = (long) ownPositions * kvDim;
        if (needed > keys.length) {
            long grown = Math.max(needed, Math.max(16L * kvDim, 2L * keys.length));
            int size = Math.toIntExact(Math.min(grown, Integer.MAX_VALUE - 8));
            if (size < needed) {
                throw new IllegalStateException("KV cache of " + ownPositions + " positions x " + kvDim
                        + " exceeds one Java array");
            }
            keys = Arrays.copyOf(keys, size);
            values = Arrays.copyOf(values, size);
        }
    }

    /** Makes the keys and values one contiguous pair of own fp32 arrays (copies the frozen prefix in). */
    private void unshare() {
        if (frozen.rows() == 0) {
            return;
        }
        float[] allKeys = new float[Math.toIntExact((long) Math.max(length, 16) * kvDim)];
        float[] allValues = new float[allKeys.length];
        writeAll(allKeys, allValues);
        keys = allKeys;
        values = allValues;
        frozen = KvRows.EMPTY;
    }

    /** Every position's keys and values, fp32, into the starts of the given arrays. */
    private void writeAll(float[] allKeys, float[] allValues) {
        int prefix = frozen.rows();
        int n = prefix * kvDim;
        switch (frozen) {
            case KvRows.F32 f -> {
                System.arraycopy(f.keys(), 0, allKeys, 0, n);
                System.arraycopy(f.values(), 0, allValues, 0, n);
            }
            case KvRows.Bf16 b -> {
                for (int i = 0; i < n; i++) {
                    allKeys[i] = DType.bf16ToFloat(b.keys()[i]);
                    allValues[i] = DType.bf16ToFloat(b.values()[i]);
                }
            }
        }
        System.arraycopy(keys, 0, allKeys, n, (length - prefix) * kvDim);
        System.arraycopy(values, 0, allValues, n, (length - prefix) * kvDim);
    }

    /** An independent deep copy, fp32, contiguous and trimmed to its length (exact: bf16 widens without loss). */
    @Override
    public KvCache copy() {
        float[] k = new float[length * kvDim];
        float[] v = new float[k.length];
        writeAll(k, v);
        return new KvCache(kvDim, KvRows.EMPTY, k, v, length);
    }

    /**
     * A frozen copy in {@code precision}: every position in the prefix, nothing of its own (shares
     * a prefix already in that form). bf16 rounds to nearest even.
     */
    public KvCache frozenCopy(KvPrecision precision) {
        if (precision == KvPrecision.F32) {
            return copy();
        }
        if (frozen instanceof KvRows.Bf16 && frozen.rows() == length) {
            return new KvCache(kvDim, frozen, NONE, NONE, length);
        }
        float[] k = new float[length * kvDim];
        float[] v = new float[k.length];
        writeAll(k, v);
        short[] kb = new short[k.length];
        short[] vb = new short[v.length];
        for (int i = 0; i < k.length; i++) {
            kb[i] = DType.bf16FromFloat(k[i]);
            vb[i] = DType.bf16FromFloat(v[i]);
        }
        return new KvCache(kvDim, new KvRows.Bf16(kb, vb, length), NONE, NONE, length);
    }

    /**
     * A cache continuing from this one, which must never change again (a snapshot's): this
     * one's positions become its frozen prefix, shared, not copied.
     */
    @Override
    public KvCache resumeCopy() {
        int own = length - frozen.rows();
        if (own == 0) {
            return new KvCache(kvDim, frozen, NONE, NONE, length);
        }
        if (frozen.rows() == 0) {
            return new KvCache(kvDim, new KvRows.F32(keys, values, length), NONE, NONE, length);
        }
        return copy().resumeCopy();
    }

    @Override
    public long sizeInBytes() {
        return frozen.bytes(kvDim) + 2L * (length - frozen.rows()) * kvDim * Float.BYTES;
    }

    @Override
    public String toString() {
        return "KvCache[" + length + " x " + kvDim + (frozen.rows() > 0 ? ", " + frozen.rows() + " frozen "
                + frozenPrecision() : "") + "]";
    }
}
