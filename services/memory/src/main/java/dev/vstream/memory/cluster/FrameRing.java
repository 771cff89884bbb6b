package dev.vstream.memory.cluster;

/**
 * A bounded ring of the newest frames, each kept at two resolutions: a key (what a centroid is compared with)
 * and a value (what a retrieval returns). Capacity is fixed at construction, so a long stream costs no more
 * than a short one (the original streaming buffer concatenates every frame and is never truncated).
 *
 * <p>Each frame's value is an array of its own, written once ({@link #newValue}) and never again: a reused slot
 * gets a new array. So a reader on another thread may keep a frame's value (the context's long window) while the
 * ring moves on, without a copy.
 */
public final class FrameRing {

    private final int capacity;
    private final int keySize;
    private final int valueSize;
    private final float[] keys;            // (capacity, keySize)
    private final float[][] values;        // (capacity) arrays of valueSize, replaced when a slot is reused
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
        this.values = new float[capacity][];
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

    /**
     * A new value array for the slot of {@link #nextSlot()}, which the caller fills before {@link #commit}; the
     * array the slot held before (an evicted frame's) is left as it was.
     */
    public float[] newValue() {
        float[] value = new float[valueSize];
        values[nextSlot()] = value;
        return value;
    }

    /** The value of a held slot ({@code valueSize} floats from 0); not written again once committed. */
    public float[] value(int slot) {
        requireHeld(slot);
        return values[slot];
    }

    public long timestamp(int slot) {
        return timestamps[slot];
    }

    public long sequence(int slot) {
        return sequences[slot];
    }

    /** Slot of the newest frame, or -1 when none was appended. */
    public int newestSlot() {
        return appended == 0 ? -1 : (int) ((appended - 1) % capacity);
    }

    /** Bytes {@link #writeTo} writes now. */
    public long stateBytes() {
        return 8 + (long) size() * slotBytes();
    }

    /** Bytes {@link #writeSlot} writes: timestamp, key, value. */
    public long slotBytes() {
        return 8 + 4L * keySize + 4L * valueSize;
    }

    /** Writes the ring's frame count and then its frames, oldest first. */
    public void writeTo(StateOutput out) {
        writeCount(out);
        int size = size();
        for (int age = 0; age < size; age++) {
            writeSlot(out, slotByAge(age));
        }
    }

    /** Replaces this ring's content with one written by {@link #writeTo} for the same sizes. */
    public void readFrom(StateInput in) {
        readCount(in);
        int size = size();
        for (int age = 0; age < size; age++) {
            readSlot(in, slotByAge(age));
        }
    }

    /** Writes the frame count alone (8 bytes): with one {@link #writeSlot} per held slot, the whole ring. */
    public void writeCount(StateOutput out) {
        out.writeLong(appended);
    }

    /**
     * Sets the frame count written by {@link #writeCount}; the held slots' content is then undefined until each
     * is read by {@link #readSlot}.
     */
    public void readCount(StateInput in) {
        long total = in.readLong();
        if (total < 0) {
            throw new MemoryStateException("negative frame count " + total);
        }
        appended = total;
    }

    /** Writes one held slot's frame: its timestamp, key and value (not its sequence, which the count implies). */
    public void writeSlot(StateOutput out, int slot) {
        requireHeld(slot);
        out.writeLong(timestamps[slot]);
        out.writeFloats(keys, slot * keySize, keySize);
        out.writeFloats(values[slot], 0, valueSize);
    }

    /** Reads one held slot's frame written by {@link #writeSlot}, after {@link #readCount}. */
    public void readSlot(StateInput in, int slot) {
        requireHeld(slot);
        timestamps[slot] = in.readLong();
        sequences[slot] = expectedSequence(slot);
        in.readFloats(keys, slot * keySize, keySize);
        values[slot] = new float[valueSize];
        in.readFloats(values[slot], 0, valueSize);
    }

    /** Frame number (from 0) that a held slot holds, implied by the frame count alone. */
    public long expectedSequence(int slot) {
        requireHeld(slot);
        long first = appended - size();
        return first + Math.floorMod(slot - first, (long) capacity);
    }

    private void requireHeld(int slot) {
        if (slot < 0 || slot >= size()) {
            throw new IndexOutOfBoundsException("slot " + slot + " of " + size() + " frames held");
        }
    }
}
