package dev.vstream.kernels.sparse;

import dev.vstream.kernels.attention.BlockPass;
import dev.vstream.kernels.attention.MaskRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The Grid head of MMInference (§3, Alg. 1) for video tokens (frame-major, then patch rows):
 * attention concentrates on evenly spaced lines, vertical (key columns at one phase of a
 * stride, e.g. one patch position in every frame) and slanted (key at the same phase offset
 * from the query, e.g. the same patch in earlier frames).
 *
 * <ol>
 *   <li>Estimate {@code A} from the last 64 video queries (the keys a sink and window already
 *       hold left out).
 *   <li>Online stride and phase search: for each stride {@code s} in
 *       {@code [minStride, maxStride]}, "view" the column mass and the diagonal mass with
 *       period {@code s} (a fold, no extra matmul) and take the phases (column residues and
 *       diagonal offsets) with the most mass until {@code lineMass} of the estimated mass
 *       outside sink and window is held or {@code maxLines} are taken; keep the stride whose
 *       lines cost least (see {@link #search}).
 *   <li>Permute: video token with modality index {@code t} goes to slot
 *       {@code groupStart(t mod s) + t / s}, each phase group padded to whole blocks, so a
 *       line of {@code L/s} tokens fills {@code L/(s B)} dense blocks instead of touching
 *       every block. Nothing is copied: the kernel reads q, k, v and writes the output
 *       through this slot map, so the result is un-permuted as it is written.
 *   <li>Two passes: sink + local window in token order; the chosen lines on the permuted
 *       layout (query phase {@code a} against key phases {@code V} and {@code a - D}),
 *       masked to exclude the sink and window (causality on original positions, only the
 *       diagonal blocks of each phase pair need the element-wise mask).
 * </ol>
 *
 * Falls back to dense when the video is shorter than one block per phase at the smallest
 * stride.
 *
 * @param sink      sink tokens; every token before the first video token counts as sink too
 * @param window    local window (1024 in MMInference's search space)
 * @param maxLines  most lines (column phases plus diagonal offsets) kept
 * @param lineMass  fraction of the estimated off-window mass the lines should hold
 * @param minStride smallest stride tried (at least 2)
 * @param maxStride largest stride tried
 */
public record GridPattern(int sink, int window, int maxLines, double lineMass, int minStride, int maxStride)
        implements HeadPattern {

    public GridPattern {
        if (sink < 0 || window < 1 || maxLines < 0 || !(lineMass >= 0 && lineMass <= 1)
                || minStride < 2 || maxStride < minStride) {
            throw new IllegalArgumentException("bad grid parameters: sink " + sink + ", window " + window
                    + ", maxLines " + maxLines + ", lineMass " + lineMass + ", strides [" + minStride + ", "
                    + maxStride + "]");
        }
    }

    /** What the online search chose: stride, column phases, diagonal offsets. */
    record Lines(int stride, int[] columns, int[] diagonals) {
    }

    @Override
    public String plan(PlanContext context, List<ModalitySpans.Span> querySpans, List<BlockPass> passes) {
        int b = context.blockSize();
        int n = context.seqLen();
        int[] tokens = ModalitySpans.tokens(querySpans);
        int length = tokens.length;
        if ((long) minStride * b > length) {
            new DensePattern().plan(context, querySpans, passes);
            return "dense(short video)";
        }
        int[] position = new int[n];
        Arrays.fill(position, -1);
        for (int i = 0; i < length; i++) {
            position[tokens[i]] = i;
        }
        int sinkTokens = Math.max(sink, tokens[0]);
        LastQueryEstimate estimate = context.estimate();
        estimate.estimate(context.q(), context.k(), context.shape(), context.head(),
                LastQueryEstimate.lastRows(tokens), position, sinkTokens, window);
        Lines lines = search(estimate.columnMass, estimate.diagonalMass, length, b);

        List<BlockPass> grid = new ArrayList<>();
        grid.add(Passes.window(Passes.spanSlots(querySpans, b), sinkTokens, window, n, b));
        if (lines.columns.length + lines.diagonals.length > 0) {
            grid.add(linePass(tokens, lines, sinkTokens, b));
        }
        BlockPass dense = Passes.allEarlier(Passes.spanSlots(querySpans, b), MaskRule.CAUSAL, n, b);
        if (grid.stream().mapToLong(BlockPass::computedBlockPairs).sum() >= dense.computedBlockPairs()) {
            passes.add(dense);
            return "dense(grid costs more)";
        }
        passes.addAll(grid);
        return "grid(s=" + lines.stride + " v=" + Arrays.toString(lines.columns) + " d="
                + Arrays.toString(lines.diagonals) + ")";
    }

    /**
     * Stride and phases from the column and diagonal mass over modality positions
     * {@code [0, length)}. Every stride is scored by what its lines would cost: the greedy
     * lines reaching a target share of the off-window mass, each line {@code g} key blocks for
     * each of the {@code s g} query blocks, {@code g = ceil(L / s / B)} (about {@code 1/s} of
     * the keys on long inputs, more where padding of short phase groups dominates). The cheapest stride that reaches the target wins, ties to the smaller stride,
     * so a multiple of the true period (which folds the same mass into more lines) loses.
     * When no stride reaches {@code lineMass} within {@code maxLines}, the target is lowered
     * step by step.
     */
    Lines search(double[] columnMass, double[] diagonalMass, int length, int blockSize) {
        double outside = 0;
        for (int i = 0; i < length; i++) {
            outside += columnMass[i];
        }
        // A phase group shorter than a block is padded; past a quarter block padding dominates.
        int largest = Math.max(minStride, Math.min(maxStride, length / Math.max(1, blockSize / 4)));
        double[] columnFold = new double[largest];
        double[] diagonalFold = new double[largest];
        for (double target = lineMass; target > 0.01; target *= 0.8) {
            Lines best = null;
            double bestCost = Double.MAX_VALUE;
            for (int s = minStride; s <= largest; s++) {
                fold(columnMass, length, s, columnFold);
                fold(diagonalMass, length, s, diagonalFold);
                double[] held = new double[1];
                Lines lines = greedy(columnFold, diagonalFold, s, target * outside, held);
                // Block pairs of the lines pass: s query groups of g blocks, each line g key blocks.
                long groupBlocks = BlockPass.ceilDiv(BlockPass.ceilDiv(length, s), blockSize);
                double cost = (double) (lines.columns.length + lines.diagonals.length) * s * groupBlocks * groupBlocks;
                if (held[0] >= target * outside && cost < bestCost * (1 - 1e-6)) {
                    best = lines;
                    bestCost = cost;
                }
            }
            if (best != null) {
                return best;
            }
        }
        return new Lines(minStride, new int[0], new int[0]);
    }

    /** Lines of one stride, most mass first, until {@code target} is held or {@code maxLines} taken. */
    private Lines greedy(double[] columnFold, double[] diagonalFold, int stride, double target, double[] held) {
        int[] columns = new int[maxLines];
        int[] diagonals = new int[maxLines];
        int columnCount = 0;
        int diagonalCount = 0;
        boolean[] columnTaken = new boolean[stride];
        boolean[] diagonalTaken = new boolean[stride];
        // Overlaps (a column phase on a diagonal) are counted twice: a heuristic bound.
        while (columnCount + diagonalCount < maxLines && held[0] < target) {
            int bestColumn = argmax(columnFold, stride, columnTaken);
            int bestDiagonal = argmax(diagonalFold, stride, diagonalTaken);
            double columnValue = bestColumn < 0 ? -1 : columnFold[bestColumn];
            double diagonalValue = bestDiagonal < 0 ? -1 : diagonalFold[bestDiagonal];
            if (Math.max(columnValue, diagonalValue) <= 0) {
                break;
            }
            if (columnValue >= diagonalValue) {
                columnTaken[bestColumn] = true;
                columns[columnCount++] = bestColumn;
                held[0] += columnValue;
            } else {
                diagonalTaken[bestDiagonal] = true;
                diagonals[diagonalCount++] = bestDiagonal;
                held[0] += diagonalValue;
            }
        }
        int[] c = Arrays.copyOf(columns, columnCount);
        int[] d = Arrays.copyOf(diagonals, diagonalCount);
        Arrays.sort(c);
        Arrays.sort(d);
        return new Lines(stride, c, d);
    }

    private static void fold(double[] mass, int length, int stride, double[] folded) {
        Arrays.fill(folded, 0, stride, 0);
        for (int i = 0, r = 0; i < length; i++) {
            folded[r] += mass[i];
            if (++r == stride) {
                r = 0;
            }
        }
    }

    private static int argmax(double[] values, int count, boolean[] taken) {
        int best = -1;
        for (int i = 0; i < count; i++) {
            if (!taken[i] && (best < 0 || values[i] > values[best])) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The lines on the permuted layout: phase groups of {@code tokens} (modality position
     * {@code t} in group {@code t mod s} at index {@code t / s}), each padded to whole blocks.
     */
    private BlockPass linePass(int[] tokens, Lines lines, int sinkTokens, int b) {
        int s = lines.stride;
        int length = tokens.length;
        int[] groupCount = new int[s];
        int[] groupBlock = new int[s + 1];
        for (int g = 0; g < s; g++) {
            groupCount[g] = (length - g + s - 1) / s;
            groupBlock[g + 1] = groupBlock[g] + BlockPass.ceilDiv(groupCount[g], b);
        }
        int[] slots = new int[groupBlock[s] * b];
        Arrays.fill(slots, -1);
        for (int g = 0; g < s; g++) {
            int base = groupBlock[g] * b;
            for (int j = 0; j < groupCount[g]; j++) {
                slots[base + j] = tokens[g + j * s];
            }
        }
        Passes.RangeList ranges = new Passes.RangeList(groupBlock[s]);
        BitSet keyBlocks = new BitSet(groupBlock[s]);
        int[] keyGroups = new int[lines.columns.length + lines.diagonals.length];
        for (int a = 0; a < s; a++) {
            int count = 0;
            for (int column : lines.columns) {
                keyGroups[count++] = column;
            }
            for (int diagonal : lines.diagonals) {
                keyGroups[count++] = Math.floorMod(a - diagonal, s);
            }
            for (int block = 0; block < groupBlock[a + 1] - groupBlock[a]; block++) {
                keyBlocks.clear();
                int lastIndex = Math.min(groupCount[a], (block + 1) * b) - 1;
                int lastPosition = a + lastIndex * s;
                for (int i = 0; i < count; i++) {
                    int g = keyGroups[i];
                    if (lastPosition < g) {
                        continue;
                    }
                    // Causal bound: keys of group g up to the block's last query position.
                    int reach = (lastPosition - g) / s;
                    keyBlocks.set(groupBlock[g], groupBlock[g] + reach / b + 1);
                }
                ranges.addAll(keyBlocks);
                ranges.endBlock();
            }
        }
        return ranges.pass(b, slots, slots, new MaskRule(sinkTokens, window, true), null);
    }

    @Override
    public String type() {
        return "grid";
    }
}
