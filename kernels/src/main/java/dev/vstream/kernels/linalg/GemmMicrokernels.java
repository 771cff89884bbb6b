package dev.vstream.kernels.linalg;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled inner kernels of {@link VectorGemm}: a rank-1 update per step of {@code p}
 * on a tile of {@code C^T} held entirely in vector registers.
 *
 * <pre>
 *   for p < kc:                                   a_v = Ap[p, v*L : (v+1)*L]     (v < 4)
 *     for r < 6:  b = broadcast(Wp[r, p]);        acc[r][v] += a_v * b
 * </pre>
 *
 * {@code Ap} is a packed panel of activations, transposed so that the {@code 4 L} activation
 * rows of one {@code p} are contiguous; {@code Wp} is a packed block of 6 weight rows. The
 * accumulators are 6 x 4 = 24 vectors, a tile of {@code C^T} (6 output columns by 4L output
 * rows): with AVX-512 that leaves 8 of the 32 registers for the 4 panel loads and the
 * broadcast. Each step issues 4 vector loads and 6 broadcast loads for 24 FMAs, which keeps
 * both FMA ports busy; wider tiles spill, narrower ones spend the load ports on broadcasts
 * (8 x 3 was measured at about 75 % of this shape's speed on Sapphire Rapids).
 *
 * <p>The tile is added to (or, for the first block of {@code k}, stored into) a {@code C^T}
 * scratch laid out like the panel: row {@code r} of the tile is {@code 4L} contiguous floats
 * at {@code ct[ctAt + r * ctStride]}.
 */
final class GemmMicrokernels {

    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    static final int LANES = FLOATS.length();
    /** Weight rows per tile. */
    static final int ROWS = 6;
    /** Vectors of activation rows per tile. */
    static final int VECTORS = 4;
    /** Activation rows per full packed panel. */
    static final int PANEL = VECTORS * LANES;

    private GemmMicrokernels() {
    }

    /**
     * The full 6 x 4L tile over {@code kc} steps of {@code p}.
     *
     * @param ap       packed panel, step {@code p} at {@code ap[apAt + p * PANEL]}
     * @param wp       packed weight rows, {@code Wp[r, p]} at {@code wp[wpAt + r * wStride + p]}
     * @param ct       {@code C^T} scratch, tile row {@code r} at {@code ct[ctAt + r * PANEL]}
     * @param first    store the tile instead of adding it (the first block of {@code k})
     */
    static void tile6x4(int kc, float[] ap, int apAt, float[] wp, int wpAt, int wStride,
                        float[] ct, int ctAt, boolean first) {
        FloatVector c00 = FloatVector.zero(FLOATS), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        FloatVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        int w0 = wpAt;
        int w1 = w0 + wStride;
        int w2 = w1 + wStride;
        int w3 = w2 + wStride;
        int w4 = w3 + wStride;
        int w5 = w4 + wStride;
        for (int p = 0; p < kc; p++) {
            int at = apAt + p * PANEL;
            FloatVector a0 = FloatVector.fromArray(FLOATS, ap, at);
            FloatVector a1 = FloatVector.fromArray(FLOATS, ap, at + LANES);
            FloatVector a2 = FloatVector.fromArray(FLOATS, ap, at + 2 * LANES);
            FloatVector a3 = FloatVector.fromArray(FLOATS, ap, at + 3 * LANES);
            FloatVector b = FloatVector.broadcast(FLOATS, wp[w0 + p]);
            c00 = a0.fma(b, c00); c01 = a1.fma(b, c01); c02 = a2.fma(b, c02); c03 = a3.fma(b, c03);
            b = FloatVector.broadcast(FLOATS, wp[w1 + p]);
            c10 = a0.fma(b, c10); c11 = a1.fma(b, c11); c12 = a2.fma(b, c12); c13 = a3.fma(b, c13);
            b = FloatVector.broadcast(FLOATS, wp[w2 + p]);
            c20 = a0.fma(b, c20); c21 = a1.fma(b, c21); c22 = a2.fma(b, c22); c23 = a3.fma(b, c23);
            b = FloatVector.broadcast(FLOATS, wp[w3 + p]);
            c30 = a0.fma(b, c30); c31 = a1.fma(b, c31); c32 = a2.fma(b, c32); c33 = a3.fma(b, c33);
            b = FloatVector.broadcast(FLOATS, wp[w4 + p]);
            c40 = a0.fma(b, c40); c41 = a1.fma(b, c41); c42 = a2.fma(b, c42); c43 = a3.fma(b, c43);
            b = FloatVector.broadcast(FLOATS, wp[w5 + p]);
            c50 = a0.fma(b, c50); c51 = a1.fma(b, c51); c52 = a2.fma(b, c52); c53 = a3.fma(b, c53);
        }
        int row = ctAt;
        storeRow(ct, row, c00, c01, c02, c03, first);
        row += PANEL;
        storeRow(ct, row, c10, c11, c12, c13, first);
        row += PANEL;
        storeRow(ct, row, c20, c21, c22, c23, first);
        row += PANEL;
        storeRow(ct, row, c30, c31, c32, c33, first);
        row += PANEL;
        storeRow(ct, row, c40, c41, c42, c43, first);
        row += PANEL;
        storeRow(ct, row, c50, c51, c52, c53, first);
    }

    private static void storeRow(float[] ct, int at, FloatVector v0, FloatVector v1,
                                 FloatVector v2, FloatVector v3, boolean first) {
        store(ct, at, v0, first);
        store(ct, at + LANES, v1, first);
        store(ct, at + 2 * LANES, v2, first);
        store(ct, at + 3 * LANES, v3, first);
    }

    private static void store(float[] ct, int at, FloatVector v, boolean first) {
        (first ? v : v.add(FloatVector.fromArray(FLOATS, ct, at))).intoArray(ct, at);
    }

    /**
     * The edge tile for the narrow last panel (fewer than {@link #PANEL} activation rows):
     * 6 weight rows by one vector of activation rows, at column {@code apAt} of a panel whose
     * steps are {@code apStride} floats apart; {@code C^T} rows are {@code apStride} apart too.
     * Broadcast-bound (7 loads per 6 FMAs) but only ever run on under {@link #PANEL} rows.
     */
    static void tile6x1(int kc, float[] ap, int apAt, int apStride, float[] wp, int wpAt,
                        int wStride, float[] ct, int ctAt, boolean first) {
        FloatVector c0 = FloatVector.zero(FLOATS), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        int w0 = wpAt;
        int w1 = w0 + wStride;
        int w2 = w1 + wStride;
        int w3 = w2 + wStride;
        int w4 = w3 + wStride;
        int w5 = w4 + wStride;
        for (int p = 0; p < kc; p++) {
            FloatVector a = FloatVector.fromArray(FLOATS, ap, apAt + p * apStride);
            c0 = a.fma(FloatVector.broadcast(FLOATS, wp[w0 + p]), c0);
            c1 = a.fma(FloatVector.broadcast(FLOATS, wp[w1 + p]), c1);
            c2 = a.fma(FloatVector.broadcast(FLOATS, wp[w2 + p]), c2);
            c3 = a.fma(FloatVector.broadcast(FLOATS, wp[w3 + p]), c3);
            c4 = a.fma(FloatVector.broadcast(FLOATS, wp[w4 + p]), c4);
            c5 = a.fma(FloatVector.broadcast(FLOATS, wp[w5 + p]), c5);
        }
        store(ct, ctAt, c0, first);
        store(ct, ctAt + apStride, c1, first);
        store(ct, ctAt + 2 * apStride, c2, first);
        store(ct, ctAt + 3 * apStride, c3, first);
        store(ct, ctAt + 4 * apStride, c4, first);
        store(ct, ctAt + 5 * apStride, c5, first);
    }
}
