package dev.vstream.kernels.linalg;

import static dev.vstream.kernels.linalg.GemmMicrokernels.LANES;
import static dev.vstream.kernels.linalg.GemmMicrokernels.PANEL;
import static dev.vstream.kernels.linalg.GemmMicrokernels.ROWS;

import dev.vstream.kernels.tensor.Tensor;

/**
 * The prefill {@link Gemm} on the Vector API: cache-blocked, register-tiled and split over a
 * {@link ComputePool}.
 *
 * <p>Both operands of {@code C = A W^T} are contiguous along {@code k}, and a register tile
 * needs one operand contiguous across its vector lanes. We vectorise across <em>rows of
 * A</em> (the activations, packed transposed once per call, O(mk)) and broadcast weights, so
 * the microkernel computes a tile of {@code C^T}; the tile is transposed back into {@code C}
 * once per block of columns, O(mn). Transposing the weights instead would cost O(nk) per
 * call, amortised over only {@code m} rows: too much at {@code m = 128}.
 *
 * <pre>
 *   pack A^T into panels of 4L rows                             (all members, split by panel)
 *   for each block of NC columns j (split over members):
 *     for each block of KC steps p:
 *       copy W[j block, p block] as fp32 into wp                 (L2-resident, ~NC*KC*4 bytes)
 *       for each panel of A^T:                                   (KC x 4L floats, from L2)
 *         for each 6 rows of wp:  tile6x4 -> C^T scratch         (24 FMA accumulators)
 *     C[:, j block] (+)= (C^T scratch)^T + bias
 * </pre>
 *
 * Rows beyond {@code m} and columns beyond {@code n} are zero padding in the packed buffers,
 * and the last, narrow panel runs the 6 x 1 edge kernel, so every shape takes the same code.
 * Fewer than {@link #SMALL_M} rows (and {@code k = 0}) go to the GEMV kernels instead, where
 * streaming each weight once beats packing.
 *
 * <p>Scratch is allocated on the caller's thread when a call needs more than the largest one
 * before; after warm-up a call allocates nothing.
 */
public final class VectorGemm implements Gemm {

    /** Steps of {@code p} per block: a 6-row slice of the weight block is 6 KB (L1). */
    static final int KC = 256;
    /** Output columns per block (a multiple of {@link GemmMicrokernels#ROWS}). */
    static final int NC = 96;
    /** Below this many rows the GEMV kernels are faster than packing. */
    static final int SMALL_M = 4;

    private final ComputePool pool;
    private final VectorGemv rowKernels;
    private final ComputePool.Task packTask = this::packPart;
    private final ComputePool.Task computeTask = this::computePart;
    private final float[][] weightBlocks;
    private final float[][] transposedBlocks;
    private final float[][] biasBlocks;
    private float[] packedA = new float[0];

    // The call in flight, read by every pool member (published by ComputePool.run).
    private float[] a;
    private int aOffset;
    private int m;
    private int n;
    private int k;
    private Tensor weight;
    private Tensor bias;
    private float[] c;
    private int cOffset;
    private boolean accumulate;
    private int blockColumns;

    public VectorGemm(ComputePool pool) {
        this.pool = pool;
        this.rowKernels = new VectorGemv(pool);
        int members = pool.threads();
        this.weightBlocks = new float[members][NC * KC];
        this.transposedBlocks = new float[members][0];
        this.biasBlocks = new float[members][NC];
    }

    @Override
    public synchronized void multiply(float[] a, int aOffset, int m, Tensor weight, Tensor bias,
                                      float[] c, int cOffset, OutputMode mode) {
        LinearArguments.check(a, aOffset, m, weight, bias, c, cOffset, mode);
        int n = (int) weight.shape().dim(0);
        int k = (int) weight.shape().dim(1);
        boolean accumulate = mode == OutputMode.ACCUMULATE;
        if (m == 0 || n == 0) {
            return;
        }
        if (m < SMALL_M || k == 0) {
            rowKernels.multiplyRows(a, aOffset, m, weight, bias, c, cOffset, accumulate);
            return;
        }
        this.a = a;
        this.aOffset = aOffset;
        this.m = m;
        this.n = n;
        this.k = k;
        this.weight = weight;
        this.bias = bias;
        this.c = c;
        this.cOffset = cOffset;
        this.accumulate = accumulate;
        this.blockColumns = blockColumns(n, pool.threads());
        reserveScratch();
        try {
            pool.run(packTask);
            pool.run(computeTask);
        } finally {
            this.a = null;
            this.weight = null;
            this.bias = null;
            this.c = null;
        }
    }

    /**
     * Columns per block: at most {@link #NC}, a multiple of the tile's rows, and a block count
     * that is a multiple of the team size so that members finish together.
     */
    static int blockColumns(int n, int members) {
        int blocks = VectorGemv.ceilDiv(n, NC);
        blocks = VectorGemv.ceilDiv(blocks, members) * members;
        return VectorGemv.ceilDiv(VectorGemv.ceilDiv(n, blocks), ROWS) * ROWS;
    }

    private void reserveScratch() {
        long packed = (long) GemmPacking.paddedRows(m) * k;
        long transposed = (long) GemmPacking.paddedRows(m) * blockColumns;
        if (packed > Integer.MAX_VALUE - 8 || transposed > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("GEMM of " + m + " x " + n + " x " + k
                    + " needs scratch beyond one Java array; split the rows");
        }
        if (packedA.length < packed) {
            packedA = new float[(int) packed];
        }
        for (int member = 0; member < transposedBlocks.length; member++) {
            if (transposedBlocks[member].length < transposed) {
                transposedBlocks[member] = new float[(int) transposed];
            }
        }
    }

    /** Member {@code member} packs panels {@code member, member + members, ...}. */
    private void packPart(int member, int members) {
        for (int i0 = member * PANEL; i0 < m; i0 += members * PANEL) {
            GemmPacking.packPanel(a, aOffset, m, k, i0, GemmPacking.panelWidth(m, i0), packedA);
        }
    }

    /** Member {@code member} computes an equal, contiguous share of the column blocks. */
    private void computePart(int member, int members) {
        int blocks = VectorGemv.ceilDiv(n, blockColumns);
        int share = VectorGemv.ceilDiv(blocks, members);
        for (int b = member * share; b < Math.min(blocks, (member + 1) * share); b++) {
            int j0 = b * blockColumns;
            computeBlock(j0, Math.min(blockColumns, n - j0), member);
        }
    }

    /** {@code C[:, j0 : j0 + columns]}: all panels, all blocks of {@code k}, then write-back. */
    private void computeBlock(int j0, int columns, int member) {
        float[] wp = weightBlocks[member];
        float[] ct = transposedBlocks[member];
        int paddedColumns = VectorGemv.ceilDiv(columns, ROWS) * ROWS;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            boolean first = p0 == 0;
            GemmPacking.packWeights(weight, j0, columns, paddedColumns, p0, kc, wp);
            for (int i0 = 0; i0 < m; i0 += PANEL) {
                int width = GemmPacking.panelWidth(m, i0);
                int panelAt = i0 * k + p0 * width;
                int ctPanel = i0 * paddedColumns;
                for (int r = 0; r < paddedColumns; r += ROWS) {
                    if (width == PANEL) {
                        GemmMicrokernels.tile6x4(kc, packedA, panelAt, wp, r * kc, kc,
                                ct, ctPanel + r * PANEL, first);
                    } else {
                        for (int v = 0; v < width; v += LANES) {
                            GemmMicrokernels.tile6x1(kc, packedA, panelAt + v, width, wp, r * kc,
                                    kc, ct, ctPanel + r * width + v, first);
                        }
                    }
                }
            }
        }
        writeBack(j0, columns, paddedColumns, ct, biasBlocks[member]);
    }

    /** {@code C[i, j0 + jj] (+)= C^T[jj, i] + bias[j0 + jj]}, row by row of {@code C}. */
    private void writeBack(int j0, int columns, int paddedColumns, float[] ct, float[] biasBlock) {
        for (int jj = 0; jj < columns; jj++) {
            biasBlock[jj] = LinearArguments.biasAt(bias, j0 + jj);
        }
        for (int i = 0; i < m; i++) {
            int i0 = i - i % PANEL;
            int width = GemmPacking.panelWidth(m, i0);
            int from = i0 * paddedColumns + (i - i0);
            int to = cOffset + i * n + j0;
            if (accumulate) {
                for (int jj = 0; jj < columns; jj++) {
                    c[to + jj] += ct[from + jj * width] + biasBlock[jj];
                }
            } else {
                for (int jj = 0; jj < columns; jj++) {
                    c[to + jj] = ct[from + jj * width] + biasBlock[jj];
                }
            }
        }
    }

    @Override
    public String toString() {
        return "VectorGemm[" + GemmMicrokernels.FLOATS.vectorBitSize() + "-bit, tile "
                + ROWS + "x" + PANEL + ", " + pool.threads() + " threads]";
    }
}
