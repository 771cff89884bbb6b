package dev.vstream.memory.cluster;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Little-endian writer of memory state into one array sized up front (a memory knows its largest state), so a
 * state of hundreds of megabytes is not copied while it grows; float arrays are written in bulk.
 */
public final class StateOutput {

    private ByteBuffer buffer;

    /** @param capacity expected size in bytes; the buffer grows past it if needed */
    public StateOutput(long capacity) {
        if (capacity < 0 || capacity > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("memory state of " + capacity + " bytes does not fit one array");
        }
        this.buffer = ByteBuffer.allocate((int) capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    public void writeInt(int value) {
        ensure(4);
        buffer.putInt(value);
    }

    public void writeLong(long value) {
        ensure(8);
        buffer.putLong(value);
    }

    public void writeDouble(double value) {
        ensure(8);
        buffer.putDouble(value);
    }

    public void writeFloat(float value) {
        ensure(4);
        buffer.putFloat(value);
    }

    public void writeFloats(float[] values, int offset, int length) {
        ensure((long) length * 4);
        buffer.asFloatBuffer().put(values, offset, length);
        buffer.position(buffer.position() + length * 4);
    }

    public void writeDoubles(double[] values, int offset, int length) {
        ensure((long) length * 8);
        buffer.asDoubleBuffer().put(values, offset, length);
        buffer.position(buffer.position() + length * 8);
    }

    /** The bytes written; the backing array itself when the capacity was exact. */
    public byte[] toByteArray() {
        byte[] array = buffer.array();
        return buffer.position() == array.length ? array : Arrays.copyOf(array, buffer.position());
    }

    private void ensure(long bytes) {
        if (buffer.remaining() >= bytes) {
            return;
        }
        long needed = buffer.position() + bytes;
        long grown = Math.max(needed, Math.min(Integer.MAX_VALUE - 8L, 2L * buffer.capacity()));
        if (needed > Integer.MAX_VALUE - 8L) {
            throw new IllegalStateException("memory state of " + needed + " bytes does not fit one array");
        }
        ByteBuffer bigger = ByteBuffer.allocate((int) grown).order(ByteOrder.LITTLE_ENDIAN);
        buffer.flip();
        bigger.put(buffer);
        buffer = bigger;
    }
}
