package dev.vstream.model.lm;

import java.util.Arrays;
import java.util.Objects;

/**
 * Keys and values of every position so far, for a full (global) attention layer. Position
 * major: position {@code p}'s keys are {@code keys()[p * kvDim, (p + 1) * kvDim)}, heads
 * concatenated, the layout of the K and V projections. Grows by doubling.
 */
public final class KvCache implements LayerCache {

    private final int kvDim;
    private float[] keys;   // (capacity, kvDim)
    private float[] values; // (capacity, kvDim)
    private int length;

    /** @param kvDim key-value heads times head width */
    public KvCache(int kvDim) {
        if (kvDim <= 0) {
            throw new IllegalArgumentException("kvDim must be positive, got " + kvDim);
        }
        this.kvDim = kvDim;
        this.keys = new float[0];
        this.values = new float[0];
    }

    private KvCache(KvCache other) {
        this.kvDim = other.kvDim;
        this.length = other.length;
        this.keys = Arrays.copyOf(other.keys, other.length * kvDim);
        this.values = Arrays.copyOf(other.values, other.length * kvDim);
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

    /** Backing keys {@code (capacity, kvDim)}; valid up to {@code length * kvDim}. */
    public float[] keys() {
        return keys;
    }

    /** Backing values {@code (capacity, kvDim)}; valid up to {@code length * kvDim}. */
    public float[] values() {
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
        ensureCapacity(Math.addExact(length, positions));
        for (int r = 0; r < positions; r++) {
            System.arraycopy(source, keyOffset + r * rowStride, keys, (length + r) * kvDim, kvDim);
            System.arraycopy(source, valueOffset + r * rowStride, values, (length + r) * kvDim, kvDim);
        }
        length += positions;
    }

    private void ensureCapacity(int positions) {
        long needed = (long) positions * kvDim;
        if (needed > keys.length) {
            long grown = Math.max(needed, Math.max(16L * kvDim, 2L * keys.length));
            int size = Math.toIntExact(Math.min(grown, Integer.MAX_VALUE - 8));
            if (size < needed) {
                throw new IllegalStateException("KV cache of " + positions + " positions x " + kvDim
                        + " exceeds one Java array");
            }
            keys = Arrays.copyOf(keys, size);
            values = Arrays.copyOf(values, size);
        }
    }

    @Override
    public KvCache copy() {
        return new KvCache(this);
    }

    @Override
    public long sizeInBytes() {
        return 2L * length * kvDim * Float.BYTES;
    }

    @Override
    public String toString() {
        return "KvCache[" + length + " x " + kvDim + "]";
    }
}
