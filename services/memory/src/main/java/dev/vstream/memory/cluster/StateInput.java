package dev.vstream.memory.cluster;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian reader of memory state written by {@link StateOutput}; truncation is a
 * {@link MemoryStateException}.
 */
public final class StateInput {

    private final ByteBuffer buffer;

    public StateInput(byte[] bytes) {
        this.buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    public int readInt() {
        try {
            return buffer.getInt();
        } catch (BufferUnderflowException e) {
            throw truncated(e);
        }
    }

    public long readLong() {
        try {
            return buffer.getLong();
        } catch (BufferUnderflowException e) {
            throw truncated(e);
        }
    }

    public double readDouble() {
        return Double.longBitsToDouble(readLong());
    }

    public float readFloat() {
        return Float.intBitsToFloat(readInt());
    }

    public void readFloats(float[] into, int offset, int length) {
        try {
            buffer.asFloatBuffer().get(into, offset, length);
            buffer.position(buffer.position() + length * 4);
        } catch (BufferUnderflowException e) {
            throw truncated(e);
        }
    }

    public void readDoubles(double[] into, int offset, int length) {
        for (int i = 0; i < length; i++) {
            into[offset + i] = readDouble();
        }
    }

    /** Throws unless every byte was read. */
    public void requireEnd() {
        if (buffer.hasRemaining()) {
            throw new MemoryStateException(buffer.remaining() + " trailing bytes after the memory state");
        }
    }

    private static MemoryStateException truncated(BufferUnderflowException e) {
        return new MemoryStateException("memory state is truncated", e);
    }
}
