package dev.vstream.kernels.sparse;

import dev.vstream.kernels.attention.BlockPass;
import dev.vstream.kernels.attention.MaskRule;
import java.util.BitSet;
import java.util.List;

/** Builders of the {@link BlockPass}es the patterns share. */
final class Passes {

    private Passes() {
    }

    /**
     * Query slots for the tokens of {@code spans} in their own order, each span padded to
     * whole blocks, so that a query block never straddles two spans (its tokens are then
     * contiguous and a window or diagonal covers few key blocks).
     */
    static int[] spanSlots(List<ModalitySpans.Span> spans, int blockSize) {
        int total = 0;
        for (ModalitySpans.Span span : spans) {
            total += BlockPass.ceilDiv(span.length(), blockSize) * blockSize;
        }
        int[] slots = new int[total];
        int at = 0;
        for (ModalitySpans.Span span : spans) {
            int end = at + BlockPass.ceilDiv(span.length(), blockSize) * blockSize;
            for (int t = span.start(); at < end; t++) {
                slots[at++] = t < span.end() ? t : -1;
            }
        }
        return slots;
    }

    /** Largest token of each query block ({@code -1} for an all-padding block). */
    static int[] blockMax(int[] slots, int blockSize) {
        int[] max = new int[slots.length / blockSize];
        for (int b = 0; b < max.length; b++) {
            max[b] = -1;
            for (int s = b * blockSize; s < (b + 1) * blockSize; s++) {
                max[b] = Math.max(max[b], slots[s]);
            }
        }
        return max;
    }

    /** Smallest token of each query block ({@code MAX_VALUE} for an all-padding block). */
    static int[] blockMin(int[] slots, int blockSize) {
        int[] min = new int[slots.length / blockSize];
        for (int b = 0; b < min.length; b++) {
            min[b] = Integer.MAX_VALUE;
            for (int s = b * blockSize; s < (b + 1) * blockSize; s++) {
                if (slots[s] >= 0) {
                    min[b] = Math.min(min[b], slots[s]);
                }
            }
        }
        return min;
    }

    /**
     * Sink plus local window: query slots against keys in their own order, key blocks
     * {@code [0, sink)} and the window's blocks, rule {@code (sink, window)}.
     */
    static BlockPass window(int[] querySlots, int sink, int window, int seqLen, int blockSize) {
        int[] keys = BlockPass.identityRows(seqLen, blockSize);
        int[] min = blockMin(querySlots, blockSize);
        int[] max = blockMax(querySlots, blockSize);
        int blocks = min.length;
        RangeList ranges = new RangeList(blocks);
        int sinkBlocks = BlockPass.ceilDiv(sink, blockSize);
        for (int b = 0; b < blocks; b++) {
            if (max[b] >= 0) {
                int last = max[b] / blockSize + 1;
                long firstKey = (long) min[b] - window + 1;
                int first = firstKey <= 0 ? 0 : (int) (firstKey / blockSize);
                if (first <= sinkBlocks) {
                    ranges.add(0, last);
                } else {
                    ranges.add(0, Math.min(sinkBlocks, last));
                    ranges.add(first, last);
                }
            }
            ranges.endBlock();
        }
        return ranges.pass(blockSize, querySlots, keys, new MaskRule(sink, window, false), null);
    }

    /** Every earlier key in its own order, under {@code rule}: dense rows, or what a window leaves. */
    static BlockPass allEarlier(int[] querySlots, MaskRule rule, int seqLen, int blockSize) {
        int[] keys = BlockPass.identityRows(seqLen, blockSize);
        int[] max = blockMax(querySlots, blockSize);
        RangeList ranges = new RangeList(max.length);
        for (int b = 0; b < max.length; b++) {
            if (max[b] >= 0) {
                ranges.add(0, max[b] / blockSize + 1);
            }
            ranges.endBlock();
        }
        return ranges.pass(blockSize, querySlots, keys, rule, null);
    }

    /** CSR key-block ranges, query block by query block. */
    static final class RangeList {
        private final int[] offsets;
        private int[] starts = new int[16];
        private int[] ends = new int[16];
        private int count;
        private int block;

        RangeList(int queryBlocks) {
            offsets = new int[queryBlocks + 1];
        }

        /** Adds {@code [start, end)} to the current query block (merged with the last range when they touch). */
        void add(int start, int end) {
            if (start >= end) {
                return;
            }
            if (count > offsets[block] && start <= ends[count - 1]) {
                ends[count - 1] = Math.max(ends[count - 1], end);
                return;
            }
            if (count == starts.length) {
                starts = java.util.Arrays.copyOf(starts, count * 2);
                ends = java.util.Arrays.copyOf(ends, count * 2);
            }
            starts[count] = start;
            ends[count] = end;
            count++;
        }

        /** Adds the runs of set bits of {@code blocks} as ranges. */
        void addAll(BitSet blocks) {
            for (int s = blocks.nextSetBit(0); s >= 0; ) {
                int e = blocks.nextClearBit(s);
                add(s, e);
                s = blocks.nextSetBit(e);
            }
        }

        void endBlock() {
            offsets[++block] = count;
        }

        BlockPass pass(int blockSize, int[] querySlots, int[] keySlots, MaskRule rule, BlockPass coveredBy) {
            return new BlockPass(blockSize, querySlots, keySlots, offsets, java.util.Arrays.copyOf(starts, count),
                    java.util.Arrays.copyOf(ends, count), rule, coveredBy);
        }
    }
}
