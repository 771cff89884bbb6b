package dev.vstream.memory.cluster;

/**
 * A bounded ring of the newest frames, each kept at two resolutions: a key (what a centroid is compared with)
 * and a value (what a retrieval returns). Capacity is fixed at construction, so a long stream costs no more
 * than a short one (the original streaming buffer concatenates every frame and is never truncated).
 */
public final class FrameRing {

    private final int capacity;
    private final int keySize;
    private final int valueSize;
    private final float[] keys;            // (capacity, keySize)
    private final float[] values;          // (capacity, valueSize)
    private final long[] timestamps;       // (capacity) micros
    private final long[] sequences;        // (capacity) frame number in the stream, from 0
    private long appended;

    public FrameRing(int capacity, int keySize, int valueSize) {
        if (capacity < 1 || keySize < 1 || valueSize < 1) {
            throw new IllegalArgumentException("frame ring needs positive sizes, got capacity=" + capacity
                    + " keySize=" + keySize + " valueSize=" + valueSize);
        }
        this.capacity = capacity;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.keys = new float[capacity * keySize];
        this.values = new float[capacity * valueSize];
        this.timestamps = new long[capacity];
        this.sequences = new long[capacity];
    }

    public int capacity() {
        return capacity;
    }

    public int keySize() {
        return keySize;
    }

    public int valueSize() {
        return valueSize;
    }

    /** Frames held now: min(appended, capacity). */
    public int size() {
        return (int) Math.min(appended, capacity);
    }

    /** Frames ever appended. */
    public long appended() {
        return appended;
    }

    /** The slot the next append writes (the oldest frame once full); the caller fills key and value there. */
    public int nextSlot() {
        return (int) (appended % capacity);
    }

    /** Commits the slot of {@link #nextSlot()} after its key and value were written. */
    public void commit(long timestampMicros) {
        int slot = nextSlot();
        timestamps[slot] = timestampMicros;
        sequences[slot] = appended;
        appended++;
    }

    /** Slot of the {@code age}-th oldest frame held, age 0 the oldest. */
    public int slotByAge(int age) {
        int size = size();
        if (age < 0 || age >= size) {
            throw new IndexOutOfBoundsException("age " + age + " of " + size + " frames");
        }
        long first = appended - size;
        return (int) ((first + age) % capacity);
    }

    public float[] keys() {
        return keys;
    }

    public float[] values() {
        return values;
    }

    public long timestamp(int slot) {
        return timestamps[slot];
    }

    public long sequence(int slot) {
        return sequences[slot];
    }

    /** Bytes {@link #writeTo} writes now. */
    public long stateBytes() {
        return 8 + (long) size() * (8 + 4L * keySize + 4L * valueSize);
    }

    /** Writes the ring's frames oldest first. */
    public void writeTo(StateOutput out) {
        out.writeLong(appended);
        int size = size();
        for (int age = 0; age < size; age++) {
            int slot = slotByAge(age);
            out.writeLong(timestamps[slot]);
            out.writeFloats(keys, slot * keySize, keySize);
            out.writeFloats(values, slot * valueSize, valueSize);
        }
    }

    /** Replaces this ring's content with one written by {@link #writeTo} for the same sizes. */
    public void readFrom(StateInput in) {
        long total = in.readLong();
        if (total < 0) {
            throw new MemoryStateException("negative frame count " + total);
        }
        int size = (int) Math.min(total, capacity);
        long first = total - size;
        for (int age = 0; age < size; age++) {
            int slot = (int) ((first + age) % capacity);
            timestamps[slot] = in.readLong();
            sequences[slot] = first + age;
            in.readFloats(keys, slot * keySize, keySize);
            in.readFloats(values, slot * valueSize, valueSize);
        }
        appended = total;
    }
}
