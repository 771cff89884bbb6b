package dev.vstream.model.nemotron;

/**
 * Scratch buffers shared by the operators of one model instance. Operators run one after
 * another, so each may use any buffer during its own forward; a buffer only grows (when a
 * longer block of rows than before arrives), so steady-state prefill and decode allocate
 * nothing. Not thread-safe, like the model that owns it.
 */
final class Scratch {

    /** The normalised input every operator reads, {@code (rows, hidden)}. */
    static final int NORMED = 0;
    /** Operator-private buffers, meaning chosen by each operator. */
    static final int A = 1;
    static final int B = 2;
    static final int C = 3;
    static final int D = 4;
    static final int E = 5;
    static final int F = 6;
    static final int G = 7;
    private static final int COUNT = 8;

    private final float[][] buffers = new float[COUNT][0];

    /** Buffer {@code index} with room for at least {@code size} floats (contents unspecified). */
    float[] get(int index, long size) {
        float[] buffer = buffers[index];
        if (buffer.length < size) {
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("scratch buffer of " + size + " floats exceeds one Java array;"
                        + " prefill in smaller blocks");
            }
            buffer = new float[(int) size];
            buffers[index] = buffer;
        }
        return buffer;
    }
}
