package dev.vstream.memory.cluster;

import java.util.Arrays;

/**
 * The tokens a memory hands to the language model, preallocated for the memory's largest size and refilled by
 * each read. Every token carries the memory slot kind it came from, the slot's index within that kind and a
 * timestamp (a frame's time, or the weighted mean time of what a slot summarises).
 *
 * @param <K> the slot kinds of one memory design
 */
public final class MemoryTokens<K extends Enum<K>> {

    private final int capacity;
    private final int channels;
    private final float[] features;   // (capacity, channels)
    private final Object[] kinds;     // (capacity) K
    private final int[] slots;        // (capacity)
    private final long[] timestamps;  // (capacity) micros
    private int count;

    public MemoryTokens(int capacity, int channels) {
        if (capacity < 1 || channels < 1) {
            throw new IllegalArgumentException("memory tokens need positive sizes, got " + capacity + "x" + channels);
        }
        this.capacity = capacity;
        this.channels = channels;
        this.features = new float[capacity * channels];
        this.kinds = new Object[capacity];
        this.slots = new int[capacity];
        this.timestamps = new long[capacity];
    }

    public int capacity() {
        return capacity;
    }

    public int channels() {
        return channels;
    }

    /** Tokens written by the last read. */
    public int count() {
        return count;
    }

    /** (count, channels) row-major; rows past {@link #count()} are stale. */
    public float[] features() {
        return features;
    }

    @SuppressWarnings("unchecked")
    public K kind(int token) {
        checkIndex(token);
        return (K) kinds[token];
    }

    public int slot(int token) {
        checkIndex(token);
        return slots[token];
    }

    public long timestampMicros(int token) {
        checkIndex(token);
        return timestamps[token];
    }

    /** Tokens of one kind among the first {@link #count()}. */
    public int count(K kind) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (kinds[i] == kind) {
                n++;
            }
        }
        return n;
    }

    public void clear() {
        count = 0;
        Arrays.fill(kinds, null);
    }

    /** Appends {@code tokens} consecutive tokens of one slot, copied from {@code source} at {@code offset}. */
    public void append(K kind, int slot, long timestampMicros, float[] source, int offset, int tokens) {
        if (count + tokens > capacity) {
            throw new IllegalStateException("memory tokens overflow: " + (count + tokens) + " > " + capacity);
        }
        System.arraycopy(source, offset, features, count * channels, tokens * channels);
        for (int t = 0; t < tokens; t++) {
            kinds[count] = kind;
            slots[count] = slot;
            timestamps[count] = timestampMicros;
            count++;
        }
    }

    private void checkIndex(int token) {
        if (token < 0 || token >= count) {
            throw new IndexOutOfBoundsException("token " + token + " of " + count);
        }
    }
}
