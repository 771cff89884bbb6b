package dev.vstream.kernels.attention;

import java.util.Arrays;

/**
 * Which columns of a cached row each query head reads, for {@link RowAttention}: head {@code h}
 * scores its {@code headDim} query against the key columns {@code [keyColumns[h], + headDim)} and
 * sums the value columns {@code [valueColumns[h], + valueWidth)}. Grouped-query attention maps
 * head {@code h} to key-value head {@code h / (heads / kvHeads)} ({@link #grouped}); differential
 * attention reads one key head and a pair of value heads.
 *
 * @param rowWidth entries per cached row (key-value heads times head width)
 */
public record RowAttentionLayout(int heads, int headDim, int rowWidth, int[] keyColumns, int[] valueColumns,
                                 int valueWidth) {

    public RowAttentionLayout {
        if (heads <= 0 || headDim <= 0 || valueWidth <= 0 || rowWidth <= 0) {
            throw new IllegalArgumentException("row attention layout needs positive sizes, got " + heads + " heads, "
                    + headDim + " head width, " + valueWidth + " value width, rows of " + rowWidth);
        }
        if (keyColumns.length != heads || valueColumns.length != heads) {
            throw new IllegalArgumentException("one key and one value column per head: " + heads + " heads, "
                    + keyColumns.length + " key and " + valueColumns.length + " value columns");
        }
        keyColumns = keyColumns.clone();
        valueColumns = valueColumns.clone();
        for (int h = 0; h < heads; h++) {
            if (keyColumns[h] < 0 || keyColumns[h] + headDim > rowWidth
                    || valueColumns[h] < 0 || valueColumns[h] + valueWidth > rowWidth) {
                throw new IllegalArgumentException("head " + h + " reads key columns from " + keyColumns[h]
                        + " and value columns from " + valueColumns[h] + " outside rows of " + rowWidth);
            }
        }
    }

    /** Grouped-query attention: {@code heads} query heads share {@code kvHeads} key-value heads in order. */
    public static RowAttentionLayout grouped(int heads, int kvHeads, int headDim) {
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException(heads + " query heads cannot share " + kvHeads + " key-value heads");
        }
        int[] columns = new int[heads];
        for (int h = 0; h < heads; h++) {
            columns[h] = h / (heads / kvHeads) * headDim;
        }
        return new RowAttentionLayout(heads, headDim, kvHeads * headDim, columns, columns, headDim);
    }

    @Override
    public int[] keyColumns() {
        return keyColumns.clone();
    }

    @Override
    public int[] valueColumns() {
        return valueColumns.clone();
    }

    int keyColumn(int head) {
        return keyColumns[head];
    }

    int valueColumn(int head) {
        return valueColumns[head];
    }

    /** Checks a call's arrays against this layout. */
    void check(float[] query, int queryOffset, KvRows first, KvRows second, float[] out, int outOffset) {
        KvRows.checkWidth(first, rowWidth);
        KvRows.checkWidth(second, rowWidth);
        if (first.rows() + (long) second.rows() == 0) {
            throw new IllegalArgumentException("a query must see at least one cached position");
        }
        if (queryOffset < 0 || (long) queryOffset + (long) heads * headDim > query.length) {
            throw new IllegalArgumentException("query needs " + heads * headDim + " floats from " + queryOffset
                    + ", has " + query.length);
        }
        if (outOffset < 0 || (long) outOffset + (long) heads * valueWidth > out.length) {
            throw new IllegalArgumentException("out needs " + heads * valueWidth + " floats from " + outOffset
                    + ", has " + out.length);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowAttentionLayout l && heads == l.heads && headDim == l.headDim && rowWidth == l.rowWidth
                && valueWidth == l.valueWidth && Arrays.equals(keyColumns, l.keyColumns)
                && Arrays.equals(valueColumns, l.valueColumns);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(keyColumns) + Arrays.hashCode(valueColumns)) + heads;
    }

    @Override
    public String toString() {
        return "RowAttentionLayout[" + heads + " heads x " + headDim + ", rows of " + rowWidth + ", keys at "
                + Arrays.toString(keyColumns) + ", values " + valueWidth + " at " + Arrays.toString(valueColumns) + "]";
    }
}
