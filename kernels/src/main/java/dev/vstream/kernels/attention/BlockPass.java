package dev.vstream.kernels.attention;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;

/**
 * One block-sparse sweep of a head: query tokens are read (and the output written) through
 * {@code queryRows}, key and value tokens through {@code keyRows}, both index maps from
 * <em>slots</em> to original token positions ({@code -1} for a padding slot). Slots are cut
 * into blocks of {@code blockSize}; query block {@code i} attends key blocks
 * {@code [rangeStarts[r], rangeEnds[r])} for {@code r} in {@code [rangeOffsets[i],
 * rangeOffsets[i + 1])}, under the element-wise {@link MaskRule} on original positions.
 *
 * <p>This is how a permutation reaches the kernel without copying a tensor: a Grid head lists
 * its vision tokens phase by phase (every {@code stride}-th token together), so its lines
 * become contiguous blocks of slots while q, k, v stay where they are.
 *
 * <p>A token appears at most once among the query slots (each output row has one writer per
 * pass) and at most once among the key slots.
 */
public final class BlockPass {

    final int blockSize;
    final int[] queryRows;   // (queryBlocks * blockSize) slot -> token or -1
    final int[] keyRows;     // (keyBlocks * blockSize)
    final int[] rangeOffsets; // (queryBlocks + 1) into rangeStarts / rangeEnds
    final int[] rangeStarts;  // key block ranges [start, end)
    final int[] rangeEnds;
    final MaskRule rule;
    // Token bounds of each block over its non-padding slots, and whether it has padding.
    final int[] queryMin;
    final int[] queryMax;
    final boolean[] queryPadded;
    final int[] keyMin;
    final int[] keyMax;
    final boolean[] keyPadded;
    final int maxToken;
    /** A pass whose (query block, key block) pairs this one must not count again, or null. */
    final BlockPass coveredBy;
    private final long blockPairs;

    public BlockPass(int blockSize, int[] queryRows, int[] keyRows, int[] rangeOffsets,
                     int[] rangeStarts, int[] rangeEnds, MaskRule rule) {
        this(blockSize, queryRows, keyRows, rangeOffsets, rangeStarts, rangeEnds, rule, null);
    }

    /**
     * A pass that skips the keys {@code coveredBy} already gives the same query block: the
     * gathered vertical columns of a Vertical-Slash head, which must not count a column the
     * slash blocks hold. {@code coveredBy} must have the same query slots and its keys in
     * their own order (slot = token).
     */
    public BlockPass(int blockSize, int[] queryRows, int[] keyRows, int[] rangeOffsets,
                     int[] rangeStarts, int[] rangeEnds, MaskRule rule, BlockPass coveredBy) {
        this.blockSize = blockSize;
        this.coveredBy = coveredBy;
        if (coveredBy != null) {
            if (coveredBy.blockSize != blockSize || !Arrays.equals(coveredBy.queryRows, queryRows)) {
                throw new IllegalArgumentException("a covering pass must share block size and query slots");
            }
            for (int s = 0; s < coveredBy.keyRows.length; s++) {
                if (coveredBy.keyRows[s] != s && coveredBy.keyRows[s] != -1) {
                    throw new IllegalArgumentException("a covering pass must list its keys in their own order");
                }
            }
        }
        this.queryRows = Objects.requireNonNull(queryRows, "queryRows");
        this.keyRows = Objects.requireNonNull(keyRows, "keyRows");
        this.rangeOffsets = Objects.requireNonNull(rangeOffsets, "rangeOffsets");
        this.rangeStarts = Objects.requireNonNull(rangeStarts, "rangeStarts");
        this.rangeEnds = Objects.requireNonNull(rangeEnds, "rangeEnds");
        this.rule = Objects.requireNonNull(rule, "rule");
        if (blockSize < 1 || queryRows.length % blockSize != 0 || keyRows.length % blockSize != 0) {
            throw new IllegalArgumentException("slot maps must be whole blocks of " + blockSize + ": "
                    + queryRows.length + " query slots, " + keyRows.length + " key slots");
        }
        int queryBlocks = queryRows.length / blockSize;
        int keyBlocks = keyRows.length / blockSize;
        if (rangeOffsets.length != queryBlocks + 1 || rangeOffsets[0] != 0
                || rangeStarts.length != rangeEnds.length || rangeOffsets[queryBlocks] != rangeStarts.length) {
            throw new IllegalArgumentException("range offsets do not describe " + queryBlocks + " query blocks");
        }
        long pairs = 0;
        for (int i = 0; i < queryBlocks; i++) {
            if (rangeOffsets[i + 1] < rangeOffsets[i]) {
                throw new IllegalArgumentException("range offsets decrease at query block " + i);
            }
        }
        for (int r = 0; r < rangeStarts.length; r++) {
            if (rangeStarts[r] < 0 || rangeEnds[r] > keyBlocks || rangeStarts[r] > rangeEnds[r]) {
                throw new IllegalArgumentException("key block range [" + rangeStarts[r] + ", " + rangeEnds[r]
                        + ") outside [0, " + keyBlocks + ")");
            }
            pairs += rangeEnds[r] - rangeStarts[r];
        }
        this.blockPairs = pairs;
        this.maxToken = Math.max(checkUnique(queryRows, "query"), checkUnique(keyRows, "key"));
        this.queryMin = new int[queryBlocks];
        this.queryMax = new int[queryBlocks];
        this.queryPadded = new boolean[queryBlocks];
        bounds(queryRows, queryMin, queryMax, queryPadded);
        this.keyMin = new int[keyBlocks];
        this.keyMax = new int[keyBlocks];
        this.keyPadded = new boolean[keyBlocks];
        bounds(keyRows, keyMin, keyMax, keyPadded);
    }

    /** A pass over the tokens in their own order: slot {@code i} is token {@code i}, padded to whole blocks. */
    public static int[] identityRows(int seqLen, int blockSize) {
        int[] rows = new int[ceilDiv(seqLen, blockSize) * blockSize];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i < seqLen ? i : -1;
        }
        return rows;
    }

    /** {@code ceil(a / b)} for non-negative {@code a}, positive {@code b}. */
    public static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    public int blockSize() {
        return blockSize;
    }

    public int queryBlocks() {
        return queryRows.length / blockSize;
    }

    public int keyBlocks() {
        return keyRows.length / blockSize;
    }

    public MaskRule rule() {
        return rule;
    }

    /** Block pairs listed (before skipping the ones the mask empties). */
    public long listedBlockPairs() {
        return blockPairs;
    }

    /** Block pairs the kernel computes: listed and not emptied by the mask. */
    public long computedBlockPairs() {
        long computed = 0;
        for (int i = 0; i < queryBlocks(); i++) {
            for (int r = rangeOffsets[i]; r < rangeOffsets[i + 1]; r++) {
                for (int j = rangeStarts[r]; j < rangeEnds[r]; j++) {
                    if (classify(i, j) != MaskRule.EMPTY) {
                        computed++;
                    }
                }
            }
        }
        return computed;
    }

    /** EMPTY, PARTIAL or FULL for query block {@code i} against key block {@code j}. */
    int classify(int i, int j) {
        if (queryMin[i] > queryMax[i] || keyMin[j] > keyMax[j]) {
            return MaskRule.EMPTY;
        }
        int kind = rule.classify(queryMin[i], queryMax[i], keyMin[j], keyMax[j]);
        if (kind == MaskRule.FULL && (queryPadded[i] || keyPadded[j] || coveredBy != null)) {
            return MaskRule.PARTIAL;
        }
        return kind;
    }

    /** Whether key {@code token} is left to another pass for query block {@code block}. */
    boolean covered(int block, int token) {
        if (coveredBy == null || token < 0) {
            return false;
        }
        int keyBlock = token / blockSize;
        BlockPass c = coveredBy;
        for (int r = c.rangeOffsets[block]; r < c.rangeOffsets[block + 1]; r++) {
            if (keyBlock >= c.rangeStarts[r] && keyBlock < c.rangeEnds[r]) {
                return true;
            }
        }
        return false;
    }

    /** Slot of every token in {@code rows} ({@code -1} where absent), for masks and tests. */
    int[] slotsOf(int[] rows, int seqLen) {
        int[] slots = new int[seqLen];
        Arrays.fill(slots, -1);
        for (int s = 0; s < rows.length; s++) {
            if (rows[s] >= 0 && rows[s] < seqLen) {
                slots[rows[s]] = s;
            }
        }
        return slots;
    }

    private static int checkUnique(int[] rows, String side) {
        int max = -1;
        BitSet seen = new BitSet();
        for (int s = 0; s < rows.length; s++) {
            int token = rows[s];
            if (token < -1) {
                throw new IllegalArgumentException(side + " slot " + s + " maps to token " + token);
            }
            if (token >= 0) {
                if (seen.get(token)) {
                    throw new IllegalArgumentException(side + " token " + token + " appears twice in one pass");
                }
                seen.set(token);
                max = Math.max(max, token);
            }
        }
        return max;
    }

    private void bounds(int[] rows, int[] min, int[] max, boolean[] padded) {
        for (int b = 0; b < min.length; b++) {
            int lo = Integer.MAX_VALUE;
            int hi = Integer.MIN_VALUE;
            boolean pad = false;
            for (int s = b * blockSize; s < (b + 1) * blockSize; s++) {
                int token = rows[s];
                if (token < 0) {
                    pad = true;
                } else {
                    lo = Math.min(lo, token);
                    hi = Math.max(hi, token);
                }
            }
            min[b] = lo;
            max[b] = hi;
            padded[b] = pad;
        }
    }
}
