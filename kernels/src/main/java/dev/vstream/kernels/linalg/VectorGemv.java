package dev.vstream.kernels.linalg;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The decode-time {@link Gemv} on the Vector API, split by rows of {@code W} over a
 * {@link ComputePool}.
 *
 * <p>Each weight is read once and used once, so the kernel is built to keep the memory bus
 * busy rather than the FMA units: four rows of {@code W} are streamed side by side (four
 * independent load streams and FMA chains per iteration, one load of {@code x} shared by the
 * four), each row reduced across lanes once at the end. bf16 weights stay bf16 all the way
 * to the registers: a half-width load of the raw shorts, widened to int lanes and shifted
 * left by 16, <em>is</em> the fp32 value (bf16 is the top half of a binary32), so decode
 * reads half the bytes of fp32.
 *
 * <p>The same row kernels serve {@link VectorGemm} for a few rows of activations
 * ({@link #multiplyRows}): a quad of weight rows is then reused from L1/L2 by every
 * activation row before the next quad is streamed.
 */
public final class VectorGemv implements Gemv {

    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /** Half the width of {@link #FLOATS}: as many bf16 lanes as there are float lanes. */
    static final VectorSpecies<Short> HALVES =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int LANES = FLOATS.length();
    /** Rows streamed together: four load streams hide memory latency without spilling. */
    private static final int QUAD = 4;
    /**
     * Rows streamed together for bf16: a bf16 load brings half the bytes of an fp32 one, so
     * twice the streams are needed to keep as many cache misses in flight (measured: 88 % of
     * a core's read bandwidth with four rows, 90-93 % with eight).
     */
    private static final int OCT = 8;

    private final ComputePool pool;
    private final ComputePool.Task task = this::runPart;

    // The call in flight, read by every pool member (published by ComputePool.run).
    private float[] x;
    private int xOffset;
    private int rows;
    private Tensor weight;
    private Tensor bias;
    private float[] y;
    private int yOffset;
    private boolean accumulate;

    public VectorGemv(ComputePool pool) {
        this.pool = pool;
    }

    @Override
    public void multiply(float[] x, int xOffset, Tensor weight, Tensor bias,
                         float[] y, int yOffset, OutputMode mode) {
        LinearArguments.check(x, xOffset, 1, weight, bias, y, yOffset, mode);
        multiplyRows(x, xOffset, 1, weight, bias, y, yOffset, mode == OutputMode.ACCUMULATE);
    }

    /**
     * {@code C = A W^T (+ bias)} for a few rows of {@code A}, arguments already checked:
     * the GEMV kernels with each quad of weight rows reused by all {@code m} rows.
     */
    synchronized void multiplyRows(float[] a, int aOffset, int m, Tensor weight, Tensor bias,
                                   float[] c, int cOffset, boolean accumulate) {
        this.x = a;
        this.xOffset = aOffset;
        this.rows = m;
        this.weight = weight;
        this.bias = bias;
        this.y = c;
        this.yOffset = cOffset;
        this.accumulate = accumulate;
        try {
            pool.run(task);
        } finally {
            this.x = null;
            this.weight = null;
            this.bias = null;
            this.y = null;
        }
    }

    /** Member {@code member} computes output columns {@code [j0, j1)}, whole quads each. */
    private void runPart(int member, int members) {
        int n = (int) weight.shape().dim(0);
        int share = ceilDiv(ceilDiv(n, members), OCT) * OCT;
        int j0 = Math.min(n, member * share);
        int j1 = Math.min(n, j0 + share);
        if (j0 < j1) {
            multiplyColumns(x, xOffset, rows, weight, bias, y, yOffset, accumulate, j0, j1);
        }
    }

    /**
     * {@code C[:, j0:j1] = A W[j0:j1]^T (+ bias)}: octets (bf16) or quads of weight rows, then
     * single rows.
     */
    static void multiplyColumns(float[] a, int aOffset, int m, Tensor weight, Tensor bias,
                                float[] c, int cOffset, boolean accumulate, int j0, int j1) {
        int n = (int) weight.shape().dim(0);
        int k = (int) weight.shape().dim(1);
        MemorySegment w = weight.segment();
        boolean bf16 = weight.dtype() == DType.BF16;
        long rowBytes = (long) k * weight.dtype().byteSize();
        int j = j0;
        // Several rows of A on bf16 weights: the arithmetic, not the weight stream, bounds it, so each widened
        // weight vector serves two rows (quads of weight rows, pairs of A rows).
        for (; bf16 && m > 1 && j + QUAD <= j1; j += QUAD) {
            int i = 0;
            for (; i + 1 < m; i += 2) {
                int xAt = aOffset + i * k;
                int cAt = cOffset + i * n + j;
                dotQuadBf16Pair(w, j * rowBytes, rowBytes, k, a, xAt, xAt + k, c, cAt, cAt + n, bias, j, accumulate);
            }
            if (i < m) {
                dotQuadBf16(w, j * rowBytes, rowBytes, k, a, aOffset + i * k, c, cOffset + i * n + j, bias, j,
                        accumulate);
            }
        }
        for (; bf16 && j + OCT <= j1; j += OCT) {
            for (int i = 0; i < m; i++) {
                dotOctBf16(w, j * rowBytes, rowBytes, k, a, aOffset + i * k, c, cOffset + i * n + j,
                        bias, j, accumulate);
            }
        }
        for (; j + QUAD <= j1; j += QUAD) {
            for (int i = 0; i < m; i++) {
                int xAt = aOffset + i * k;
                int cAt = cOffset + i * n + j;
                if (bf16) {
                    dotQuadBf16(w, j * rowBytes, rowBytes, k, a, xAt, c, cAt, bias, j, accumulate);
                } else {
                    dotQuadF32(w, j * rowBytes, rowBytes, k, a, xAt, c, cAt, bias, j, accumulate);
                }
            }
        }
        for (; j < j1; j++) {
            for (int i = 0; i < m; i++) {
                int cAt = cOffset + i * n + j;
                float dot = dotRow(w, bf16, j * rowBytes, k, a, aOffset + i * k);
                store(c, cAt, dot, bias, j, accumulate);
            }
        }
    }

    /** {@code out[at] (+)= dot + bias[j]}. */
    private static void store(float[] out, int at, float dot, Tensor bias, int j, boolean accumulate) {
        float value = dot + LinearArguments.biasAt(bias, j);
        out[at] = accumulate ? out[at] + value : value;
    }

    /** Four fp32 dot products {@code W[j+q] . x}, stored to {@code out[at + q]}. */
    private static void dotQuadF32(MemorySegment w, long row0, long rowBytes, int k, float[] x,
            int xAt, float[] out, int at, Tensor bias, int j, boolean accumulate) {
        long row1 = row0 + rowBytes;
        long row2 = row1 + rowBytes;
        long row3 = row2 + rowBytes;
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        int bound = FLOATS.loopBound(k);
        int p = 0;
        for (; p < bound; p += LANES) {
            FloatVector xs = FloatVector.fromArray(FLOATS, x, xAt + p);
            long byteAt = (long) p * Float.BYTES;
            acc0 = FloatVector.fromMemorySegment(FLOATS, w, row0 + byteAt, LE).fma(xs, acc0);
            acc1 = FloatVector.fromMemorySegment(FLOATS, w, row1 + byteAt, LE).fma(xs, acc1);
            acc2 = FloatVector.fromMemorySegment(FLOATS, w, row2 + byteAt, LE).fma(xs, acc2);
            acc3 = FloatVector.fromMemorySegment(FLOATS, w, row3 + byteAt, LE).fma(xs, acc3);
        }
        store(out, at + 0, acc0.reduceLanes(VectorOperators.ADD) + tailF32(w, row0, p, k, x, xAt),
                bias, j + 0, accumulate);
        store(out, at + 1, acc1.reduceLanes(VectorOperators.ADD) + tailF32(w, row1, p, k, x, xAt),
                bias, j + 1, accumulate);
        store(out, at + 2, acc2.reduceLanes(VectorOperators.ADD) + tailF32(w, row2, p, k, x, xAt),
                bias, j + 2, accumulate);
        store(out, at + 3, acc3.reduceLanes(VectorOperators.ADD) + tailF32(w, row3, p, k, x, xAt),
                bias, j + 3, accumulate);
    }

    /** Four bf16 dot products, each weight widened in registers. */
    private static void dotQuadBf16(MemorySegment w, long row0, long rowBytes, int k, float[] x,
            int xAt, float[] out, int at, Tensor bias, int j, boolean accumulate) {
        long row1 = row0 + rowBytes;
        long row2 = row1 + rowBytes;
        long row3 = row2 + rowBytes;
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        int bound = FLOATS.loopBound(k);
        int p = 0;
        for (; p < bound; p += LANES) {
            FloatVector xs = FloatVector.fromArray(FLOATS, x, xAt + p);
            long byteAt = (long) p * Short.BYTES;
            acc0 = widenBf16(w, row0 + byteAt).fma(xs, acc0);
            acc1 = widenBf16(w, row1 + byteAt).fma(xs, acc1);
            acc2 = widenBf16(w, row2 + byteAt).fma(xs, acc2);
            acc3 = widenBf16(w, row3 + byteAt).fma(xs, acc3);
        }
        store(out, at + 0, acc0.reduceLanes(VectorOperators.ADD) + tailBf16(w, row0, p, k, x, xAt),
                bias, j + 0, accumulate);
        store(out, at + 1, acc1.reduceLanes(VectorOperators.ADD) + tailBf16(w, row1, p, k, x, xAt),
                bias, j + 1, accumulate);
        store(out, at + 2, acc2.reduceLanes(VectorOperators.ADD) + tailBf16(w, row2, p, k, x, xAt),
                bias, j + 2, accumulate);
        store(out, at + 3, acc3.reduceLanes(VectorOperators.ADD) + tailBf16(w, row3, p, k, x, xAt),
                bias, j + 3, accumulate);
    }

    /**
     * {@link #dotQuadBf16} for two rows of A at once ({@code x} at {@code xAt} and {@code yAt}, out at {@code at}
     * and {@code bt}): each weight vector is widened once for both. Every dot product sums in the same order as
     * {@link #dotQuadBf16}'s, so the results are the same bits.
     */
    private static void dotQuadBf16Pair(MemorySegment w, long row0, long rowBytes, int k, float[] x, int xAt,
            int yAt, float[] out, int at, int bt, Tensor bias, int j, boolean accumulate) {
        long row1 = row0 + rowBytes;
        long row2 = row1 + rowBytes;
        long row3 = row2 + rowBytes;
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        int bound = FLOATS.loopBound(k);
        int p = 0;
        for (; p < bound; p += LANES) {
            FloatVector xs = FloatVector.fromArray(FLOATS, x, xAt + p);
            FloatVector ys = FloatVector.fromArray(FLOATS, x, yAt + p);
            long byteAt = (long) p * Short.BYTES;
            FloatVector w0 = widenBf16(w, row0 + byteAt);
            FloatVector w1 = widenBf16(w, row1 + byteAt);
            FloatVector w2 = widenBf16(w, row2 + byteAt);
            FloatVector w3 = widenBf16(w, row3 + byteAt);
            a0 = w0.fma(xs, a0);
            a1 = w1.fma(xs, a1);
            a2 = w2.fma(xs, a2);
            a3 = w3.fma(xs, a3);
            b0 = w0.fma(ys, b0);
            b1 = w1.fma(ys, b1);
            b2 = w2.fma(ys, b2);
            b3 = w3.fma(ys, b3);
        }
        // Vectors stay in registers only if no array holds them: one store per output, spelled out.
        store(out, at, a0.reduceLanes(VectorOperators.ADD) + tailBf16(w, row0, p, k, x, xAt), bias, j, accumulate);
        store(out, at + 1, a1.reduceLanes(VectorOperators.ADD) + tailBf16(w, row1, p, k, x, xAt), bias, j + 1,
                accumulate);
        store(out, at + 2, a2.reduceLanes(VectorOperators.ADD) + tailBf16(w, row2, p, k, x, xAt), bias, j + 2,
                accumulate);
        store(out, at + 3, a3.reduceLanes(VectorOperators.ADD) + tailBf16(w, row3, p, k, x, xAt), bias, j + 3,
                accumulate);
        store(out, bt, b0.reduceLanes(VectorOperators.ADD) + tailBf16(w, row0, p, k, x, yAt), bias, j, accumulate);
        store(out, bt + 1, b1.reduceLanes(VectorOperators.ADD) + tailBf16(w, row1, p, k, x, yAt), bias, j + 1,
                accumulate);
        store(out, bt + 2, b2.reduceLanes(VectorOperators.ADD) + tailBf16(w, row2, p, k, x, yAt), bias, j + 2,
                accumulate);
        store(out, bt + 3, b3.reduceLanes(VectorOperators.ADD) + tailBf16(w, row3, p, k, x, yAt), bias, j + 3,
                accumulate);
    }

    /** Eight bf16 dot products. */
    private static void dotOctBf16(MemorySegment w, long row0, long rowBytes, int k, float[] x,
            int xAt, float[] out, int at, Tensor bias, int j, boolean accumulate) {
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        FloatVector acc4 = acc0;
        FloatVector acc5 = acc0;
        FloatVector acc6 = acc0;
        FloatVector acc7 = acc0;
        int bound = FLOATS.loopBound(k);
        int p = 0;
        for (; p < bound; p += LANES) {
            FloatVector xs = FloatVector.fromArray(FLOATS, x, xAt + p);
            long byteAt = row0 + (long) p * Short.BYTES;
            acc0 = widenBf16(w, byteAt).fma(xs, acc0);
            acc1 = widenBf16(w, byteAt + rowBytes).fma(xs, acc1);
            acc2 = widenBf16(w, byteAt + 2 * rowBytes).fma(xs, acc2);
            acc3 = widenBf16(w, byteAt + 3 * rowBytes).fma(xs, acc3);
            acc4 = widenBf16(w, byteAt + 4 * rowBytes).fma(xs, acc4);
            acc5 = widenBf16(w, byteAt + 5 * rowBytes).fma(xs, acc5);
            acc6 = widenBf16(w, byteAt + 6 * rowBytes).fma(xs, acc6);
            acc7 = widenBf16(w, byteAt + 7 * rowBytes).fma(xs, acc7);
        }
        store(out, at, acc0.reduceLanes(VectorOperators.ADD) + tailBf16(w, row0, p, k, x, xAt), bias, j, accumulate);
        store(out, at + 1, acc1.reduceLanes(VectorOperators.ADD) + tailBf16(w, row0 + rowBytes, p, k, x, xAt),
                bias, j + 1, accumulate);
        store(out, at + 2, acc2.reduceLanes(VectorOperators.ADD) + tailBf16(w, row0 + 2 * rowBytes, p, k, x, xAt),
                bias, j + 2, accumulate);
        store(out, at + 3, acc3.reduceLanes(VectorOperators.ADD) + tailBf16(w, row0 + 3 * rowBytes, p, k, x, xAt),
                bias, j + 3, accumulate);
        store(out, at + 4, acc4.reduceLanes(VectorOperators.ADD) + tailBf16(w, row0 + 4 * rowBytes, p, k, x, xAt),
                bias, j + 4, accumulate);
        store(out, at + 5, acc5.reduceLanes(VectorOperators.ADD) + tailBf16(w, row0 + 5 * rowBytes, p, k, x, xAt),
                bias, j + 5, accumulate);
        store(out, at + 6, acc6.reduceLanes(VectorOperators.ADD) + tailBf16(w, row0 + 6 * rowBytes, p, k, x, xAt),
                bias, j + 6, accumulate);
        store(out, at + 7, acc7.reduceLanes(VectorOperators.ADD) + tailBf16(w, row0 + 7 * rowBytes, p, k, x, xAt),
                bias, j + 7, accumulate);
    }

    /**
     * {@code LANES} bf16 values at {@code byteAt} as floats: the raw shorts sign-extended to
     * int lanes, shifted left by 16 (which also discards the sign extension) and
     * reinterpreted. Exact, like {@link DType#bf16ToFloat}.
     */
    static FloatVector widenBf16(MemorySegment w, long byteAt) {
        IntVector wide = (IntVector) ShortVector.fromMemorySegment(HALVES, w, byteAt, LE)
                .convertShape(VectorOperators.S2I, INTS, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** One row (the remainder after the quads). */
    private static float dotRow(MemorySegment w, boolean bf16, long row, int k, float[] x, int xAt) {
        FloatVector acc = FloatVector.zero(FLOATS);
        int bound = FLOATS.loopBound(k);
        int p = 0;
        for (; p < bound; p += LANES) {
            FloatVector ws = bf16
                    ? widenBf16(w, row + (long) p * Short.BYTES)
                    : FloatVector.fromMemorySegment(FLOATS, w, row + (long) p * Float.BYTES, LE);
            acc = ws.fma(FloatVector.fromArray(FLOATS, x, xAt + p), acc);
        }
        float tail = bf16 ? tailBf16(w, row, p, k, x, xAt) : tailF32(w, row, p, k, x, xAt);
        return acc.reduceLanes(VectorOperators.ADD) + tail;
    }

    /** Scalar remainder {@code p0 <= p < k} of an fp32 row (fewer than one vector). */
    private static float tailF32(MemorySegment w, long row, int p0, int k, float[] x, int xAt) {
        float sum = 0f;
        for (int p = p0; p < k; p++) {
            sum += w.get(LinearArguments.F32_LE, row + (long) p * Float.BYTES) * x[xAt + p];
        }
        return sum;
    }

    /** Scalar remainder of a bf16 row. */
    private static float tailBf16(MemorySegment w, long row, int p0, int k, float[] x, int xAt) {
        float sum = 0f;
        for (int p = p0; p < k; p++) {
            sum += DType.bf16ToFloat(w.get(LinearArguments.I16_LE, row + (long) p * Short.BYTES))
                    * x[xAt + p];
        }
        return sum;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public String toString() {
        return "VectorGemv[" + FLOATS.vectorBitSize() + "-bit, " + pool.threads() + " threads]";
    }
}
