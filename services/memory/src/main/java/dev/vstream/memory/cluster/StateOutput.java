package dev.vstream.memory.cluster;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian writer of memory state; float arrays go through one bulk buffer each. */
public final class StateOutput {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ByteBuffer scalar = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer chunk = ByteBuffer.allocate(0);

    public void writeInt(int value) {
        scalar.clear();
        scalar.putInt(value);
        bytes.write(scalar.array(), 0, 4);
    }

    public void writeLong(long value) {
        scalar.clear();
        scalar.putLong(value);
        bytes.write(scalar.array(), 0, 8);
    }

    public void writeDouble(double value) {
        writeLong(Double.doubleToRawLongBits(value));
    }

    public void writeFloat(float value) {
        writeInt(Float.floatToRawIntBits(value));
    }

    public void writeFloats(float[] values, int offset, int length) {
        if (chunk.capacity() < length * 4) {
            chunk = ByteBuffer.allocate(length * 4).order(ByteOrder.LITTLE_ENDIAN);
        }
        chunk.clear();
        chunk.asFloatBuffer().put(values, offset, length);
        bytes.write(chunk.array(), 0, length * 4);
    }

    public void writeDoubles(double[] values, int offset, int length) {
        for (int i = 0; i < length; i++) {
            writeDouble(values[offset + i]);
        }
    }

    public byte[] toByteArray() {
        return bytes.toByteArray();
    }
}
