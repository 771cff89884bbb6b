package dev.vstream.model.lm;

/**
 * Keys and values of the last {@code window} positions, for a sliding-window attention layer
 * whose query at position {@code t} sees keys {@code t - window + 1 .. t} (itself and
 * {@code window - 1} earlier ones). A ring buffer: position {@code p} lives in slot
 * {@code p mod window}, so appending never moves data and the window is always exact (no
 * empty slot inside it, whatever the prompt length).
 */
public final class SlidingWindowKvCache implements LayerCache {

    private final int window;
    private final int kvDim;
    private final float[] keys;   // (window, kvDim), slot = position mod window
    private final float[] values; // (window, kvDim)
    private int length;           // positions seen in total

    public SlidingWindowKvCache(int window, int kvDim) {
        if (window <= 0 || kvDim <= 0) {
            throw new IllegalArgumentException("window and kvDim must be positive: " + window + ", " + kvDim);
        }
        this.window = window;
        this.kvDim = kvDim;
        this.keys = new float[Math.multiplyExact(window, kvDim)];
        this.values = new float[keys.length];
    }

    private SlidingWindowKvCache(SlidingWindowKvCache other) {
        this.window = other.window;
        this.kvDim = other.kvDim;
        this.length = other.length;
        this.keys = other.keys.clone();
        this.values = other.values.clone();
    }

    private SlidingWindowKvCache(int window, int kvDim, int length, float[] keys, float[] values) {
        this.window = window;
        this.kvDim = kvDim;
        this.length = length;
        this.keys = keys;
        this.values = values;
    }

    /**
     * A ring of {@code window} slots that has seen {@code length} positions, whose keys and
     * values are the given arrays (taken over, not copied), each of {@code window * kvDim}
     * entries; for {@link ContextStateCodec}, which checks the sizes first.
     */
    static SlidingWindowKvCache of(int window, int kvDim, int length, float[] keys, float[] values) {
        if (window <= 0 || kvDim <= 0 || length < 0 || (long) window * kvDim != keys.length
                || keys.length != values.length) {
            throw new IllegalArgumentException("sliding window cache of " + window + " x " + kvDim
                    + " given arrays of " + keys.length + " and " + values.length);
        }
        return new SlidingWindowKvCache(window, kvDim, length, keys, values);
    }

    public int window() {
        return window;
    }

    public int kvDim() {
        return kvDim;
    }

    /** Positions seen in total (not only those still held). */
    public int length() {
        return length;
    }

    /** The oldest position still held, {@code max(0, length - window)}. */
    public int firstHeld() {
        return Math.max(0, length - window);
    }

    public float[] keys() {
        return keys;
    }

    public float[] values() {
        return values;
    }

    /** Offset of position {@code p} in {@link #keys()} / {@link #values()}; p must be held. */
    public int offset(int position) {
        if (position < firstHeld() || position >= length) {
            throw new IndexOutOfBoundsException("position " + position + " is not held (holding "
                    + firstHeld() + " .. " + (length - 1) + ")");
        }
        return (position % window) * kvDim;
    }

    /** Appends {@code positions} rows as {@link KvCache#append}; only the last window stay. */
    public void append(float[] source, int keyOffset, int valueOffset, int rowStride, int positions) {
        if (positions < 0) {
            throw new IllegalArgumentException("positions must not be negative, got " + positions);
        }
        int skip = Math.max(0, positions - window);
        for (int r = skip; r < positions; r++) {
            int slot = ((length + r) % window) * kvDim;
            System.arraycopy(source, keyOffset + r * rowStride, keys, slot, kvDim);
            System.arraycopy(source, valueOffset + r * rowStride, values, slot, kvDim);
        }
        length = Math.addExact(length, positions);
    }

    @Override
    public SlidingWindowKvCache copy() {
        return new SlidingWindowKvCache(this);
    }

    @Override
    public long sizeInBytes() {
        return 2L * keys.length * Float.BYTES;
    }

    @Override
    public String toString() {
        return "SlidingWindowKvCache[window " + window + " x " + kvDim + ", seen " + length + "]";
    }
}
