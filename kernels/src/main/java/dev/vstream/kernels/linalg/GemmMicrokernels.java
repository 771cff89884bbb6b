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
    /**
     * Row stride of the packed weight block, in floats. A compile-time constant on purpose:
     * the six broadcasts of a step then share one index register with constant
     * displacements ({@code wp[q + r * WEIGHT_STRIDE]}); with a variable stride C2 spends an
     * address computation per broadcast, which cost 20 % of the tile's speed.
     */
    static final int WEIGHT_STRIDE = 512;

    private GemmMicrokernels() {
    }

    /**
     * The full 6 x 4L tile over {@code kc} steps of {@code p}.
     *
     * @param ap       packed panel, step {@code p} at {@code ap[apAt + p * PANEL]}
     * @param wp       packed weight rows, {@code Wp[r, p]} at {@code wp[wpAt + r * WEIGHT_STRIDE + p]}
     * @param ct       {@code C^T} scratch, tile row {@code r} at {@code ct[ctAt + r * PANEL]}
     * @param first    store the tile instead of adding it (the first block of {@code k})
     */
    static void tile6x4(int kc, float[] ap, int apAt, float[] wp, int wpAt,
                        float[] ct, int ctAt, boolean first) {
        // Every vector op stays in this one method: a helper taking vectors that C2 declines
        // to inline (the node budget of a method this size runs out) forces the vectors into
        // heap boxes and costs 50x. The tile is loaded, accumulated and stored here.
        // C^T offsets stay "ctAt + constant" rather than six precomputed row starts: those
        // would be live across the loop, and x86's 16 general registers are already needed for
        // the loop's indices and bases (the spills cost ~15 %).
        FloatVector c00, c01, c02, c03;
        FloatVector c10, c11, c12, c13;
        FloatVector c20, c21, c22, c23;
        FloatVector c30, c31, c32, c33;
        FloatVector c40, c41, c42, c43;
        FloatVector c50, c51, c52, c53;
        if (first) {
            c00 = FloatVector.zero(FLOATS);
            c01 = c00; c02 = c00; c03 = c00; c10 = c00; c11 = c00; c12 = c00;
            c13 = c00; c20 = c00; c21 = c00; c22 = c00; c23 = c00; c30 = c00;
            c31 = c00; c32 = c00; c33 = c00; c40 = c00; c41 = c00; c42 = c00;
            c43 = c00; c50 = c00; c51 = c00; c52 = c00; c53 = c00;
        } else {
            c00 = FloatVector.fromArray(FLOATS, ct, ctAt);
            c01 = FloatVector.fromArray(FLOATS, ct, ctAt + LANES);
            c02 = FloatVector.fromArray(FLOATS, ct, ctAt + 2 * LANES);
            c03 = FloatVector.fromArray(FLOATS, ct, ctAt + 3 * LANES);
            c10 = FloatVector.fromArray(FLOATS, ct, ctAt + 1 * PANEL);
            c11 = FloatVector.fromArray(FLOATS, ct, ctAt + 1 * PANEL + LANES);
            c12 = FloatVector.fromArray(FLOATS, ct, ctAt + 1 * PANEL + 2 * LANES);
            c13 = FloatVector.fromArray(FLOATS, ct, ctAt + 1 * PANEL + 3 * LANES);
            c20 = FloatVector.fromArray(FLOATS, ct, ctAt + 2 * PANEL);
            c21 = FloatVector.fromArray(FLOATS, ct, ctAt + 2 * PANEL + LANES);
            c22 = FloatVector.fromArray(FLOATS, ct, ctAt + 2 * PANEL + 2 * LANES);
            c23 = FloatVector.fromArray(FLOATS, ct, ctAt + 2 * PANEL + 3 * LANES);
            c30 = FloatVector.fromArray(FLOATS, ct, ctAt + 3 * PANEL);
            c31 = FloatVector.fromArray(FLOATS, ct, ctAt + 3 * PANEL + LANES);
            c32 = FloatVector.fromArray(FLOATS, ct, ctAt + 3 * PANEL + 2 * LANES);
            c33 = FloatVector.fromArray(FLOATS, ct, ctAt + 3 * PANEL + 3 * LANES);
            c40 = FloatVector.fromArray(FLOATS, ct, ctAt + 4 * PANEL);
            c41 = FloatVector.fromArray(FLOATS, ct, ctAt + 4 * PANEL + LANES);
            c42 = FloatVector.fromArray(FLOATS, ct, ctAt + 4 * PANEL + 2 * LANES);
            c43 = FloatVector.fromArray(FLOATS, ct, ctAt + 4 * PANEL + 3 * LANES);
            c50 = FloatVector.fromArray(FLOATS, ct, ctAt + 5 * PANEL);
            c51 = FloatVector.fromArray(FLOATS, ct, ctAt + 5 * PANEL + LANES);
            c52 = FloatVector.fromArray(FLOATS, ct, ctAt + 5 * PANEL + 2 * LANES);
            c53 = FloatVector.fromArray(FLOATS, ct, ctAt + 5 * PANEL + 3 * LANES);
        }
        for (int p = 0; p < kc; p++) {
            int at = apAt + p * PANEL;
            int q = wpAt + p;
            FloatVector a0 = FloatVector.fromArray(FLOATS, ap, at);
            FloatVector a1 = FloatVector.fromArray(FLOATS, ap, at + LANES);
            FloatVector a2 = FloatVector.fromArray(FLOATS, ap, at + 2 * LANES);
            FloatVector a3 = FloatVector.fromArray(FLOATS, ap, at + 3 * LANES);
            FloatVector b = FloatVector.broadcast(FLOATS, wp[q]);
            c00 = a0.fma(b, c00); c01 = a1.fma(b, c01); c02 = a2.fma(b, c02); c03 = a3.fma(b, c03);
            b = FloatVector.broadcast(FLOATS, wp[q + 1 * WEIGHT_STRIDE]);
            c10 = a0.fma(b, c10); c11 = a1.fma(b, c11); c12 = a2.fma(b, c12); c13 = a3.fma(b, c13);
            b = FloatVector.broadcast(FLOATS, wp[q + 2 * WEIGHT_STRIDE]);
            c20 = a0.fma(b, c20); c21 = a1.fma(b, c21); c22 = a2.fma(b, c22); c23 = a3.fma(b, c23);
            b = FloatVector.broadcast(FLOATS, wp[q + 3 * WEIGHT_STRIDE]);
            c30 = a0.fma(b, c30); c31 = a1.fma(b, c31); c32 = a2.fma(b, c32); c33 = a3.fma(b, c33);
            b = FloatVector.broadcast(FLOATS, wp[q + 4 * WEIGHT_STRIDE]);
            c40 = a0.fma(b, c40); c41 = a1.fma(b, c41); c42 = a2.fma(b, c42); c43 = a3.fma(b, c43);
            b = FloatVector.broadcast(FLOATS, wp[q + 5 * WEIGHT_STRIDE]);
            c50 = a0.fma(b, c50); c51 = a1.fma(b, c51); c52 = a2.fma(b, c52); c53 = a3.fma(b, c53);
        }
        c00.intoArray(ct, ctAt);
        c01.intoArray(ct, ctAt + LANES);
        c02.intoArray(ct, ctAt + 2 * LANES);
        c03.intoArray(ct, ctAt + 3 * LANES);
        c10.intoArray(ct, ctAt + 1 * PANEL);
        c11.intoArray(ct, ctAt + 1 * PANEL + LANES);
        c12.intoArray(ct, ctAt + 1 * PANEL + 2 * LANES);
        c13.intoArray(ct, ctAt + 1 * PANEL + 3 * LANES);
        c20.intoArray(ct, ctAt + 2 * PANEL);
        c21.intoArray(ct, ctAt + 2 * PANEL + LANES);
        c22.intoArray(ct, ctAt + 2 * PANEL + 2 * LANES);
        c23.intoArray(ct, ctAt + 2 * PANEL + 3 * LANES);
        c30.intoArray(ct, ctAt + 3 * PANEL);
        c31.intoArray(ct, ctAt + 3 * PANEL + LANES);
        c32.intoArray(ct, ctAt + 3 * PANEL + 2 * LANES);
        c33.intoArray(ct, ctAt + 3 * PANEL + 3 * LANES);
        c40.intoArray(ct, ctAt + 4 * PANEL);
        c41.intoArray(ct, ctAt + 4 * PANEL + LANES);
        c42.intoArray(ct, ctAt + 4 * PANEL + 2 * LANES);
        c43.intoArray(ct, ctAt + 4 * PANEL + 3 * LANES);
        c50.intoArray(ct, ctAt + 5 * PANEL);
        c51.intoArray(ct, ctAt + 5 * PANEL + LANES);
        c52.intoArray(ct, ctAt + 5 * PANEL + 2 * LANES);
        c53.intoArray(ct, ctAt + 5 * PANEL + 3 * LANES);
    }

    /**
     * The edge tile for a narrow last panel of two or three vectors: 6 weight rows by two
     * vectors of activation rows (12 accumulators; 2 loads and 6 broadcasts per 12 FMAs),
     * otherwise as {@link #tile6x1}.
     */
    static void tile6x2(int kc, float[] ap, int apAt, int apStride, float[] wp, int wpAt,
                        float[] ct, int ctAt, boolean first) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (first) {
            c00 = FloatVector.zero(FLOATS);
            c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00;
            c30 = c00; c31 = c00; c40 = c00; c41 = c00; c50 = c00; c51 = c00;
        } else {
            c00 = FloatVector.fromArray(FLOATS, ct, ctAt);
            c01 = FloatVector.fromArray(FLOATS, ct, ctAt + LANES);
            c10 = FloatVector.fromArray(FLOATS, ct, ctAt + apStride);
            c11 = FloatVector.fromArray(FLOATS, ct, ctAt + apStride + LANES);
            c20 = FloatVector.fromArray(FLOATS, ct, ctAt + 2 * apStride);
            c21 = FloatVector.fromArray(FLOATS, ct, ctAt + 2 * apStride + LANES);
            c30 = FloatVector.fromArray(FLOATS, ct, ctAt + 3 * apStride);
            c31 = FloatVector.fromArray(FLOATS, ct, ctAt + 3 * apStride + LANES);
            c40 = FloatVector.fromArray(FLOATS, ct, ctAt + 4 * apStride);
            c41 = FloatVector.fromArray(FLOATS, ct, ctAt + 4 * apStride + LANES);
            c50 = FloatVector.fromArray(FLOATS, ct, ctAt + 5 * apStride);
            c51 = FloatVector.fromArray(FLOATS, ct, ctAt + 5 * apStride + LANES);
        }
        for (int p = 0; p < kc; p++) {
            int at = apAt + p * apStride;
            FloatVector a0 = FloatVector.fromArray(FLOATS, ap, at);
            FloatVector a1 = FloatVector.fromArray(FLOATS, ap, at + LANES);
            int q = wpAt + p;
            FloatVector b = FloatVector.broadcast(FLOATS, wp[q]);
            c00 = a0.fma(b, c00); c01 = a1.fma(b, c01);
            b = FloatVector.broadcast(FLOATS, wp[q + WEIGHT_STRIDE]);
            c10 = a0.fma(b, c10); c11 = a1.fma(b, c11);
            b = FloatVector.broadcast(FLOATS, wp[q + 2 * WEIGHT_STRIDE]);
            c20 = a0.fma(b, c20); c21 = a1.fma(b, c21);
            b = FloatVector.broadcast(FLOATS, wp[q + 3 * WEIGHT_STRIDE]);
            c30 = a0.fma(b, c30); c31 = a1.fma(b, c31);
            b = FloatVector.broadcast(FLOATS, wp[q + 4 * WEIGHT_STRIDE]);
            c40 = a0.fma(b, c40); c41 = a1.fma(b, c41);
            b = FloatVector.broadcast(FLOATS, wp[q + 5 * WEIGHT_STRIDE]);
            c50 = a0.fma(b, c50); c51 = a1.fma(b, c51);
        }
        c00.intoArray(ct, ctAt);
        c01.intoArray(ct, ctAt + LANES);
        c10.intoArray(ct, ctAt + apStride);
        c11.intoArray(ct, ctAt + apStride + LANES);
        c20.intoArray(ct, ctAt + 2 * apStride);
        c21.intoArray(ct, ctAt + 2 * apStride + LANES);
        c30.intoArray(ct, ctAt + 3 * apStride);
        c31.intoArray(ct, ctAt + 3 * apStride + LANES);
        c40.intoArray(ct, ctAt + 4 * apStride);
        c41.intoArray(ct, ctAt + 4 * apStride + LANES);
        c50.intoArray(ct, ctAt + 5 * apStride);
        c51.intoArray(ct, ctAt + 5 * apStride + LANES);
    }

    /**
     * The edge tile for the narrow last panel (fewer than {@link #PANEL} activation rows):
     * 6 weight rows by one vector of activation rows, at column {@code apAt} of a panel whose
     * steps are {@code apStride} floats apart; {@code C^T} rows are {@code apStride} apart too.
     * Broadcast-bound (7 loads per 6 FMAs): used for the one odd vector of a narrow panel.
     */
    static void tile6x1(int kc, float[] ap, int apAt, int apStride, float[] wp, int wpAt,
                        float[] ct, int ctAt, boolean first) {
        FloatVector c0, c1, c2, c3, c4, c5;
        if (first) {
            c0 = FloatVector.zero(FLOATS);
            c1 = c0; c2 = c0; c3 = c0; c4 = c0; c5 = c0;
        } else {
            c0 = FloatVector.fromArray(FLOATS, ct, ctAt);
            c1 = FloatVector.fromArray(FLOATS, ct, ctAt + apStride);
            c2 = FloatVector.fromArray(FLOATS, ct, ctAt + 2 * apStride);
            c3 = FloatVector.fromArray(FLOATS, ct, ctAt + 3 * apStride);
            c4 = FloatVector.fromArray(FLOATS, ct, ctAt + 4 * apStride);
            c5 = FloatVector.fromArray(FLOATS, ct, ctAt + 5 * apStride);
        }
        for (int p = 0; p < kc; p++) {
            FloatVector a = FloatVector.fromArray(FLOATS, ap, apAt + p * apStride);
            int q = wpAt + p;
            c0 = a.fma(FloatVector.broadcast(FLOATS, wp[q]), c0);
            c1 = a.fma(FloatVector.broadcast(FLOATS, wp[q + WEIGHT_STRIDE]), c1);
            c2 = a.fma(FloatVector.broadcast(FLOATS, wp[q + 2 * WEIGHT_STRIDE]), c2);
            c3 = a.fma(FloatVector.broadcast(FLOATS, wp[q + 3 * WEIGHT_STRIDE]), c3);
            c4 = a.fma(FloatVector.broadcast(FLOATS, wp[q + 4 * WEIGHT_STRIDE]), c4);
            c5 = a.fma(FloatVector.broadcast(FLOATS, wp[q + 5 * WEIGHT_STRIDE]), c5);
        }
        c0.intoArray(ct, ctAt);
        c1.intoArray(ct, ctAt + apStride);
        c2.intoArray(ct, ctAt + 2 * apStride);
        c3.intoArray(ct, ctAt + 3 * apStride);
        c4.intoArray(ct, ctAt + 4 * apStride);
        c5.intoArray(ct, ctAt + 5 * apStride);
    }
}
