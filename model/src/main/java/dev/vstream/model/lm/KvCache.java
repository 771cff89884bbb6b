package dev.vstream.model.lm;

import java.util.Arrays;
import java.util.Objects;

/**
 * Keys and values of every position so far, for a full (global) attention layer. Position
 * major: position {@code p}'s keys are {@code kvDim} floats at {@link #offsetAt offsetAt(p)}
 * of {@link #keysAt keysAt(p)}, heads concatenated, the layout of the K and V projections.
 *
 * <p>A cache resumed from a {@link ContextState.Snapshot} shares the snapshot's arrays as a
 * frozen prefix (positions {@code 0 .. sharedLength() - 1}) and appends to arrays of its own,
 * so resuming a long context copies nothing; the frozen arrays are never written. Readers that
 * want one contiguous array ({@link #keys()}, {@link #values()}) get the prefix copied in once
 * on their first call. Own arrays grow by doubling.
 */
public final class KvCache implements LayerCache {

    private static final float[] NONE = new float[0];

    private final int kvDim;
    private float[] sharedKeys = NONE;   // (sharedLength, kvDim), read-only: a snapshot's
    private float[] sharedValues = NONE;
    private int sharedLength;
    private float[] keys;   // (capacity, kvDim): positions sharedLength ..
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

    private KvCache(int kvDim, int length, float[] keys, float[] values) {
        this.kvDim = kvDim;
        this.length = length;
        this.keys = keys;
        this.values = values;
    }

    /**
     * A cache holding exactly {@code length} positions whose keys and values are the given
     * arrays (taken over, not copied), each of {@code length * kvDim} entries; for
     * {@link ContextStateCodec}, which checks the sizes first.
     */
    static KvCache of(int kvDim, int length, float[] keys, float[] values) {
        if (kvDim <= 0 || length < 0 || (long) length * kvDim != keys.length || keys.length != values.length) {
            throw new IllegalArgumentException("KV cache of " + length + " x " + kvDim + " given arrays of "
                    + keys.length + " and " + values.length);
        }
        return new KvCache(kvDim, length, keys, values);
    }

    public int kvDim() {
        return kvDim;
    }

    /** Positions held, {@code 0 .. length - 1}. */
    public int length() {
        return length;
    }

    /** Positions in the frozen prefix shared with a snapshot (0 when none). */
    public int sharedLength() {
        return sharedLength;
    }

    /** The array holding position {@code p}'s keys. */
    public float[] keysAt(int position) {
        Objects.checkIndex(position, length);
        return position < sharedLength ? sharedKeys : keys;
    }

    /** The array holding position {@code p}'s values. */
    public float[] valuesAt(int position) {
        Objects.checkIndex(position, length);
        return position < sharedLength ? sharedValues : values;
    }

    /** Offset of position {@code p} in {@link #keysAt}{@code (p)} and {@link #valuesAt}{@code (p)}. */
    public int offsetAt(int position) {
        Objects.checkIndex(position, length);
        return (position < sharedLength ? position : position - sharedLength) * kvDim;
    }

    /** The frozen prefix's keys {@code (sharedLength, kvDim)}; never write to it. */
    public float[] sharedKeys() {
        return sharedKeys;
    }

    /** The frozen prefix's values {@code (sharedLength, kvDim)}; never write to it. */
    public float[] sharedValues() {
        return sharedValues;
    }

    /** Keys of positions {@code sharedLength() ..}, from offset 0. */
    public float[] ownKeys() {
        return keys;
    }

    /** Values of positions {@code sharedLength() ..}, from offset 0. */
    public float[] ownValues() {
        return values;
    }

    /**
     * All keys contiguous {@code (capacity, kvDim)}, valid up to {@code length * kvDim}; a frozen
     * prefix is copied in first (once).
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
        int own = length - sharedLength;
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

    /** Makes the keys and values one contiguous pair of own arrays (copies the frozen prefix in). */
    private void unshare() {
        if (sharedLength == 0) {
            return;
        }
        int own = length - sharedLength;
        float[] allKeys = Arrays.copyOf(sharedKeys, Math.toIntExact((long) Math.max(length, 16) * kvDim));
        float[] allValues = Arrays.copyOf(sharedValues, allKeys.length);
        System.arraycopy(keys, 0, allKeys, sharedLength * kvDim, own * kvDim);
        System.arraycopy(values, 0, allValues, sharedLength * kvDim, own * kvDim);
        keys = allKeys;
        values = allValues;
        sharedKeys = NONE;
        sharedValues = NONE;
        sharedLength = 0;
    }

    /** An independent deep copy, contiguous and trimmed to its length. */
    @Override
    public KvCache copy() {
        int n = length * kvDim;
        float[] k = new float[n];
        float[] v = new float[n];
        System.arraycopy(sharedKeys, 0, k, 0, sharedLength * kvDim);
        System.arraycopy(sharedValues, 0, v, 0, sharedLength * kvDim);
        System.arraycopy(keys, 0, k, sharedLength * kvDim, (length - sharedLength) * kvDim);
        System.arraycopy(values, 0, v, sharedLength * kvDim, (length - sharedLength) * kvDim);
        return new KvCache(kvDim, length, k, v);
    }

    /**
     * A cache continuing from this one, which must never change again (a snapshot's): this
     * one's positions become its frozen prefix, shared, not copied.
     */
    @Override
    public KvCache resumeCopy() {
        KvCache resumed = new KvCache(kvDim);
        if (sharedLength == 0) {
            resumed.sharedKeys = keys;
            resumed.sharedValues = values;
            resumed.sharedLength = length;
            resumed.length = length;
            return resumed;
        }
        KvCache compact = copy();
        return compact.resumeCopy();
    }

    @Override
    public long sizeInBytes() {
        return 2L * length * kvDim * Float.BYTES;
    }

    @Override
    public String toString() {
        return "KvCache[" + length + " x " + kvDim + (sharedLength > 0 ? ", " + sharedLength + " shared" : "") + "]";
    }
}
