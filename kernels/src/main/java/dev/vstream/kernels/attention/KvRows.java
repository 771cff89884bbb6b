package dev.vstream.kernels.attention;

import java.util.Objects;

/**
 * A run of consecutive cached positions, position major: row {@code j}'s keys are the
 * {@code rowWidth} entries from {@code j * rowWidth} of {@code keys}, its values the same entries
 * of {@code values} (key-value heads concatenated, the layout of the K and V projections). Only
 * the first {@link #rows()} rows are read; the arrays may be longer (a growing cache).
 *
 * <p>Two storage types: fp32, and bf16 (raw bit patterns, the top half of a binary32; widening
 * is exact), which halves what a long frozen context costs to hold, ship and read.
 */
public sealed interface KvRows {

    /** No rows. */
    KvRows EMPTY = new F32(new float[0], new float[0], 0);

    /** Rows held. */
    int rows();

    /** Entries in each of the keys and the values arrays. */
    int capacity();

    /** Bytes of the {@link #rows()} rows, keys and values. */
    long bytes(int rowWidth);

    record F32(float[] keys, float[] values, int rows) implements KvRows {
        public F32 {
            check(keys.length, values.length, rows);
        }

        @Override
        public int capacity() {
            return keys.length;
        }

        @Override
        public long bytes(int rowWidth) {
            return 2L * rows * rowWidth * Float.BYTES;
        }
    }

    record Bf16(short[] keys, short[] values, int rows) implements KvRows {
        public Bf16 {
            check(keys.length, values.length, rows);
        }

        @Override
        public int capacity() {
            return keys.length;
        }

        @Override
        public long bytes(int rowWidth) {
            return 2L * rows * rowWidth * Short.BYTES;
        }
    }

    private static void check(int keys, int values, int rows) {
        if (rows < 0 || keys != values) {
            throw new IllegalArgumentException("KV rows: " + rows + " rows over key and value arrays of " + keys
                    + " and " + values + " entries");
        }
    }

    /** Checks that {@code rows} rows of {@code rowWidth} fit the arrays. */
    static void checkWidth(KvRows kv, int rowWidth) {
        Objects.requireNonNull(kv, "rows");
        if ((long) kv.rows() * rowWidth > kv.capacity()) {
            throw new IllegalArgumentException(kv.rows() + " rows of " + rowWidth + " do not fit arrays of "
                    + kv.capacity() + " entries");
        }
    }
}
