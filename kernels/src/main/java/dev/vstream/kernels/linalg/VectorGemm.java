package dev.vstream.kernels.linalg;

import static dev.vstream.kernels.linalg.GemmMicrokernels.LANES;
import static dev.vstream.kernels.linalg.GemmMicrokernels.PANEL;
import static dev.vstream.kernels.linalg.GemmMicrokernels.ROWS;

import dev.vstream.kernels.tensor.DType;
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
 * and the last, narrow panel runs the 6 x 2 and 6 x 1 edge kernels, so every shape takes the
 * same code.
 * Fewer than {@link #SMALL_M_F32} rows ({@link #SMALL_M_BF16} for bf16, and {@code k = 0})
 * go to the GEMV kernels instead, where streaming each weight once beats copying it.
 *
 * <p>Scratch is allocated on the caller's thread when a call needs more than the largest one
 * before; after warm-up a call allocates nothing.
 */
public final class VectorGemm implements Gemm {

    /**
     * Steps of {@code p} per tile call: the panel slice a tile streams ({@code KC x 4L}
     * floats, 32 KB with AVX-512) stays in the 48 KB L1 across the tiles of a block.
     */
    static final int KC = 128;
    /** Steps of {@code p} per weight copy: {@code NC x KP} floats (192 KB) stay in L2. */
    static final int KP = GemmMicrokernels.WEIGHT_STRIDE;
    /** Output columns per block (a multiple of {@link GemmMicrokernels#ROWS}). */
    static final int NC = 96;
    /** Floats of room for moving the start of a scratch buffer to a cache line. */
    private static final int ALIGNMENT_SLACK = 16;
    /**
     * Below this many rows the GEMV kernels, which stream each weight once, beat copying the
     * weights into blocks (a full extra pass over {@code W}, the same cost at any {@code m}).
     * Measured on 2048 x 2048 weights, one thread: fp32 74 vs 72 GFLOP/s at m = 16. bf16, whose
     * row kernels widen each weight vector once for two rows of A, on the Phi-4-mini-flash FFN
     * and QKV shapes with two threads ({@code kernels/bench/small-batch.sh}): the row kernels
     * 2.1x faster at m = 8, 1.1x at 16 and 1.04-1.13x at 24, the packed path 1.2-1.3x faster at
     * 32 (a batched decode step is one row per answer).
     */
    static final int SMALL_M_F32 = 16;
    static final int SMALL_M_BF16 = 24;

    private final ComputePool pool;
    private final VectorGemv rowKernels;
    private final ComputePool.Task packTask = this::packPart;
    private final ComputePool.Task computeTask = this::computePart;
    private final float[][] weightBlocks;
    private final float[][] transposedBlocks;
    private final float[][] biasBlocks;
    private float[] packedA = new float[0];
    /** Index of the first packed panel in {@link #packedA}: cache-line aligned. */
    private int packedAt;
    /** Per member, index of its C^T block in its scratch: cache-line aligned. */
    private final int[] transposedAt;

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
        this.weightBlocks = new float[members][NC * KP];
        this.transposedBlocks = new float[members][0];
        this.biasBlocks = new float[members][NC];
        this.transposedAt = new int[members];
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
        if (m < (weight.dtype() == DType.BF16 ? SMALL_M_BF16 : SMALL_M_F32) || k == 0) {
            rowKernels.multiplyRows(a, aOffset, m, weight, bias, c, cOffset, accumulate);
            return;
        }
        multiplyPacked(a, aOffset, m, n, k, weight, bias, c, cOffset, accumulate);
    }

    /** The packed tiled path at any {@code m} (arguments checked; for the crossover benchmark too). */
    synchronized void multiplyPacked(float[] a, int aOffset, int m, int n, int k, Tensor weight, Tensor bias,
                                     float[] c, int cOffset, boolean accumulate) {
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
        if (packed > Integer.MAX_VALUE - 64 || transposed > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("GEMM of " + m + " x " + n + " x " + k
                    + " needs scratch beyond one Java array; split the rows");
        }
        // ALIGNMENT_SLACK floats of room to start at a cache line wherever the GC put the array.
        if (packedA.length < packed + ALIGNMENT_SLACK) {
            packedA = new float[(int) packed + ALIGNMENT_SLACK];
        }
        packedAt = HeapAlignment.firstAlignedIndex(packedA);
        for (int member = 0; member < transposedBlocks.length; member++) {
            if (transposedBlocks[member].length < transposed + ALIGNMENT_SLACK) {
                transposedBlocks[member] = new float[(int) transposed + ALIGNMENT_SLACK];
            }
            transposedAt[member] = HeapAlignment.firstAlignedIndex(transposedBlocks[member]);
        }
    }

    /** Member {@code member} packs panels {@code member, member + members, ...}. */
    private void packPart(int member, int members) {
        for (int i0 = member * PANEL; i0 < m; i0 += members * PANEL) {
            GemmPacking.packPanel(a, aOffset, m, k, i0, GemmPacking.panelWidth(m, i0), packedA, packedAt);
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

    /**
     * {@code C[:, j0 : j0 + columns]}: weights copied {@link #KP} steps of {@code p} at a time
     * (long contiguous runs per row, which the hardware prefetcher streams well), consumed
     * {@link #KC} steps at a time (so the panel slice a tile streams, {@code KC x 4L} floats,
     * stays in L1), then written back.
     */
    private void computeBlock(int j0, int columns, int member) {
        float[] wp = weightBlocks[member];
        float[] ct = transposedBlocks[member];
        int ctAt = transposedAt[member];
        int paddedColumns = VectorGemv.ceilDiv(columns, ROWS) * ROWS;
        for (int p0 = 0; p0 < k; p0 += KP) {
            int kp = Math.min(KP, k - p0);
            GemmPacking.packWeights(weight, j0, columns, paddedColumns, p0, kp, wp, KP);
            for (int q0 = p0; q0 < p0 + kp; q0 += KC) {
                int kc = Math.min(KC, p0 + kp - q0);
                boolean first = q0 == 0;
                for (int i0 = 0; i0 < m; i0 += PANEL) {
                    int width = GemmPacking.panelWidth(m, i0);
                    int panelAt = packedAt + i0 * k + q0 * width;
                    int ctPanel = ctAt + i0 * paddedColumns;
                    for (int r = 0; r < paddedColumns; r += ROWS) {
                        int wpAt = r * KP + (q0 - p0);
                        if (width == PANEL) {
                            GemmMicrokernels.tile6x4(kc, packedA, panelAt, wp, wpAt,
                                    ct, ctPanel + r * PANEL, first);
                        } else {
                            int v = 0;
                            for (; v + 2 * LANES <= width; v += 2 * LANES) {
                                GemmMicrokernels.tile6x2(kc, packedA, panelAt + v, width, wp, wpAt,
                                        ct, ctPanel + r * width + v, first);
                            }
                            if (v < width) {
                                GemmMicrokernels.tile6x1(kc, packedA, panelAt + v, width, wp, wpAt,
                                        ct, ctPanel + r * width + v, first);
                            }
                        }
                    }
                }
            }
        }
        writeBack(j0, columns, paddedColumns, ct, ctAt, biasBlocks[member]);
    }

    /** {@code C[i, j0 + jj] (+)= C^T[jj, i] + bias[j0 + jj]}, row by row of {@code C}. */
    private void writeBack(int j0, int columns, int paddedColumns, float[] ct, int ctAt,
                           float[] biasBlock) {
        for (int jj = 0; jj < columns; jj++) {
            biasBlock[jj] = LinearArguments.biasAt(bias, j0 + jj);
        }
        for (int i = 0; i < m; i++) {
            int i0 = i - i % PANEL;
            int width = GemmPacking.panelWidth(m, i0);
            int from = ctAt + i0 * paddedColumns + (i - i0);
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
