package dev.vstream.kernels.linalg;

import static dev.vstream.kernels.linalg.GemmMicrokernels.LANES;
import static dev.vstream.kernels.linalg.GemmMicrokernels.PANEL;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Copies operands of {@link VectorGemm} into the layouts its microkernels stream.
 *
 * <p><b>Activations</b> are packed transposed, in panels of {@link GemmMicrokernels#PANEL}
 * rows: {@code Ap[P][p][ii] = A[i0 + ii][p]}, so one step of {@code p} reads 4 contiguous
 * vectors. The last panel is only as wide as the remaining rows rounded up to a vector
 * ({@code m = 100}: one panel of 64, one of 48); padding rows are zero. The panel of row
 * {@code i0} starts at {@code i0 * k} past the (cache-line aligned) start of the buffer. Every element of {@code A} is used {@code n} times afterwards,
 * so this O(mk) transpose is a few percent of the O(mnk) work.
 *
 * <p><b>Weights</b> are copied block by block ({@code rows x kc}, a fixed row stride) into a
 * small buffer that lives in L2: fp32 by a bulk copy, bf16 widened to fp32 with the vector
 * shift, so the microkernel broadcasts plain floats whatever the checkpoint's dtype. Each
 * weight is then used {@code m} times, so the copy costs little even at {@code m = 64}; it is
 * not a transpose, which would be the expensive kind of copy. Padding rows (up to a multiple
 * of the tile's 6) are zero.
 */
final class GemmPacking {

    /** Steps of {@code p} transposed together: a 64 x 64 block stays in L1 while it is written. */
    private static final int TRANSPOSE_BLOCK = 64;

    private GemmPacking() {
    }

    /** Rows of packed activations: full panels plus the last one rounded up to a vector. */
    static int paddedRows(int m) {
        int rest = m % PANEL;
        return m - rest + VectorGemv.ceilDiv(rest, LANES) * LANES;
    }

    /** Width of the panel starting at row {@code i0}: {@link GemmMicrokernels#PANEL} but for the last. */
    static int panelWidth(int m, int i0) {
        return Math.min(PANEL, paddedRows(m) - i0);
    }

    /**
     * Packs the panel of rows {@code [i0, i0 + width)} of {@code A (m, k)} into {@code ap},
     * whose panels start at {@code apAt}.
     */
    static void packPanel(float[] a, int aOffset, int m, int k, int i0, int width, float[] ap,
                          int apAt) {
        int base = apAt + i0 * k;
        int rows = Math.min(width, m - i0);
        for (int p0 = 0; p0 < k; p0 += TRANSPOSE_BLOCK) {
            int p1 = Math.min(k, p0 + TRANSPOSE_BLOCK);
            for (int ii = 0; ii < rows; ii++) {
                int src = aOffset + (i0 + ii) * k;
                int dst = base + ii;
                for (int p = p0; p < p1; p++) {
                    ap[dst + p * width] = a[src + p];
                }
            }
            for (int p = p0; p < p1; p++) {
                int at = base + p * width;
                Arrays.fill(ap, at + rows, at + width, 0f);
            }
        }
    }

    /**
     * Copies {@code W[j0 : j0 + rows, p0 : p0 + kc]} as fp32 into {@code wp} (row stride
     * {@code stride >= kc}) and zeroes rows {@code [rows, paddedRows)}.
     */
    static void packWeights(Tensor weight, int j0, int rows, int paddedRows, int p0, int kc,
                            float[] wp, int stride) {
        MemorySegment w = weight.segment();
        long k = weight.shape().dim(1);
        boolean bf16 = weight.dtype() == DType.BF16;
        int size = weight.dtype().byteSize();
        for (int r = 0; r < rows; r++) {
            long from = ((j0 + r) * k + p0) * size;
            if (bf16) {
                widenRow(w, from, kc, wp, r * stride);
            } else {
                copyRow(w, from, kc, wp, r * stride);
            }
        }
        for (int r = rows; r < paddedRows; r++) {
            Arrays.fill(wp, r * stride, r * stride + kc, 0f);
        }
    }

    /**
     * {@code count} fp32 values at {@code from} into {@code dst[at...]}: a vector loop, which
     * for these short runs beats {@code MemorySegment.copy} and its per-call checks.
     */
    private static void copyRow(MemorySegment w, long from, int count, float[] dst, int at) {
        int bound = VectorGemv.FLOATS.loopBound(count);
        int q = 0;
        for (; q < bound; q += LANES) {
            FloatVector.fromMemorySegment(VectorGemv.FLOATS, w, from + (long) q * Float.BYTES, VectorGemv.LE)
                    .intoArray(dst, at + q);
        }
        for (; q < count; q++) {
            dst[at + q] = w.get(LinearArguments.F32_LE, from + (long) q * Float.BYTES);
        }
    }

    /** {@code count} bf16 values at {@code from} widened into {@code dst[at...]}. */
    private static void widenRow(MemorySegment w, long from, int count, float[] dst, int at) {
        int bound = VectorGemv.FLOATS.loopBound(count);
        int q = 0;
        for (; q < bound; q += LANES) {
            VectorGemv.widenBf16(w, from + (long) q * Short.BYTES).intoArray(dst, at + q);
        }
        for (; q < count; q++) {
            dst[at + q] = DType.bf16ToFloat(w.get(LinearArguments.I16_LE, from + (long) q * Short.BYTES));
        }
    }
}
