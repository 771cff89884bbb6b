package dev.vstream.kernels.sparse;

import dev.vstream.kernels.attention.BlockPass;
import dev.vstream.kernels.attention.MaskRule;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Vertical-Slash (MInference): from the last queries' attention, the {@code verticals} key
 * columns and the {@code slashes} query-key distances (diagonals) with the most mass; the
 * first {@link #FORCED_COLUMNS} columns and the {@link #FORCED_DIAGONALS} nearest diagonals
 * are always kept.
 *
 * <p>Two passes, as in MInference's index converter: the slashes as whole key blocks of the
 * tokens in their own order (each diagonal crosses one or two blocks per query block), and
 * the vertical columns gathered into dense key blocks through the slot map ("sparse load,
 * dense compute"), skipping the columns the slash blocks of that query block already hold.
 */
public record VerticalSlashPattern(int verticals, int slashes) implements HeadPattern {

    static final int FORCED_COLUMNS = 30;
    static final int FORCED_DIAGONALS = 100;

    public VerticalSlashPattern {
        if (verticals < 0 || slashes < 0) {
            throw new IllegalArgumentException("vertical-slash sizes must not be negative: " + verticals + ", " + slashes);
        }
    }

    @Override
    public String plan(PlanContext context, List<ModalitySpans.Span> querySpans, List<BlockPass> passes) {
        int b = context.blockSize();
        int n = context.seqLen();
        int[] tokens = ModalitySpans.tokens(querySpans);
        int[] rows = LastQueryEstimate.lastRows(tokens);
        LastQueryEstimate estimate = context.estimate();
        estimate.estimate(context.q(), context.k(), context.shape(), context.head(), rows, null, 0, 0);
        int keyEnd = rows[rows.length - 1] + 1;
        int[] columns = top(estimate.columnMass, keyEnd, verticals, FORCED_COLUMNS);
        int[] distances = top(estimate.diagonalMass, keyEnd, slashes, FORCED_DIAGONALS);

        int[] slots = Passes.spanSlots(querySpans, b);
        int[] min = Passes.blockMin(slots, b);
        int[] max = Passes.blockMax(slots, b);
        int queryBlocks = slots.length / b;
        Passes.RangeList slashRanges = new Passes.RangeList(queryBlocks);
        BitSet keyBlocks = new BitSet();
        for (int qb = 0; qb < queryBlocks; qb++) {
            keyBlocks.clear();
            if (max[qb] >= 0) {
                for (int distance : distances) {
                    int hi = max[qb] - distance;
                    if (hi < 0) {
                        break;
                    }
                    int lo = Math.max(0, min[qb] - distance);
                    keyBlocks.set(lo / b, hi / b + 1);
                }
            }
            slashRanges.addAll(keyBlocks);
            slashRanges.endBlock();
        }
        BlockPass slashPass = slashRanges.pass(b, slots, BlockPass.identityRows(n, b), MaskRule.CAUSAL, null);
        passes.add(slashPass);

        int[] columnSlots = new int[BlockPass.ceilDiv(Math.max(columns.length, 1), b) * b];
        Arrays.fill(columnSlots, -1);
        System.arraycopy(columns, 0, columnSlots, 0, columns.length);
        Passes.RangeList columnRanges = new Passes.RangeList(queryBlocks);
        for (int qb = 0; qb < queryBlocks; qb++) {
            if (max[qb] >= 0) {
                int reachable = upperBound(columns, max[qb]);
                columnRanges.add(0, BlockPass.ceilDiv(reachable, b));
            }
            columnRanges.endBlock();
        }
        passes.add(columnRanges.pass(b, slots, columnSlots, MaskRule.CAUSAL, slashPass));
        return "vs(" + verticals + "," + slashes + ")";
    }

    /**
     * Indices in {@code [0, end)} of the {@code count} largest {@code mass} values together
     * with {@code [0, forced)}, ascending (distances are then sorted nearest first).
     */
    static int[] top(double[] mass, int end, int count, int forced) {
        int keepForced = Math.min(forced, end);
        int wanted = Math.min(end, keepForced + count);
        double threshold = Double.NEGATIVE_INFINITY;
        int rest = end - keepForced;
        if (count < rest) {
            double[] sorted = Arrays.copyOfRange(mass, keepForced, end);
            Arrays.sort(sorted);
            threshold = sorted[rest - count];
        }
        int[] chosen = new int[wanted];
        int at = 0;
        for (int i = 0; i < end && at < wanted; i++) {
            if (i < keepForced || mass[i] >= threshold) {
                chosen[at++] = i;
            }
        }
        return Arrays.copyOf(chosen, at);
    }

    /** Number of entries of ascending {@code values} that are {@code <= limit}. */
    static int upperBound(int[] values, int limit) {
        int lo = 0;
        int hi = values.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (values[mid] <= limit) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public String type() {
        return "vertical-slash";
    }
}
