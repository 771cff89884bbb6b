package dev.vstream.kernels.attention;

import dev.vstream.kernels.linalg.ComputePool;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Flash-attention style executor of an {@link AttentionPlan} on the Vector API: tiles of
 * {@code B} query slots against tiles of {@code B} key slots, online softmax (running max and
 * sum per row), no {@code N x N} matrix. Dense and sparse attention are the same loop; they
 * differ only in the plan.
 *
 * <pre>
 *   for each pass p (in order), in parallel over (head, query block i) of pass p:
 *     Qt = (q rows of block i, scaled by 1/sqrt(d))^T        (d, B)     once per query block
 *     for each listed key block j not emptied by the mask:
 *       St = K_j Qt                                           (B keys, B queries)
 *       mask St on the diagonal / window / padding blocks only
 *       m' = max(m, colmax St); P = exp(St - m'); l = l e^(m-m') + colsum P
 *       Ot = Ot e^(m-m') + V_j^T P                            (d, B)
 *     merge Ot / l into out rows by log-sum-exp with the earlier passes
 * </pre>
 *
 * Tiles are kept transposed (query slots across vector lanes): the score and value updates
 * then broadcast one k or v element against vectors of queries, the softmax statistics are
 * vertical vector ops, and k and v rows are read in place at their (permuted) positions.
 * Only the query tile is copied, once per query block.
 *
 * <p>Work is split over a {@link ComputePool}: members take (head, query block) tasks from a
 * shared counter, longest (last) blocks first. One instance serves one inference loop; its
 * scratch grows to the largest call and is then reused (no allocation per call after warm-up).
 */
public final class TiledAttention {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Query slots per register tile: four vectors. Block sizes are multiples of it. */
    public static final int TILE = 4 * LANES;

    private final ComputePool pool;
    private final int blockSize;
    private final int maxHeadDim;
    private final Scratch[] scratch;
    private final AtomicInteger nextTask = new AtomicInteger();
    private final ComputePool.Task passTask = this::runPassPart;
    private float[] rowMax = new float[0]; // (heads, seq) running max of the merged passes
    private float[] rowSum = new float[0]; // (heads, seq) running sum

    // The call in flight, read by every member (published by ComputePool.run).
    private float[] q;
    private float[] k;
    private float[] v;
    private float[] out;
    private AttentionShape shape;
    private AttentionPlan plan;
    private int passIndex;
    private int passQueryBlocks;

    /**
     * @param blockSize  query and key slots per tile; a multiple of {@link #TILE} (four
     *                   vectors: 64 with AVX-512, 32 with AVX2)
     * @param maxHeadDim the largest head dimension served (sizes the scratch)
     */
    public TiledAttention(ComputePool pool, int blockSize, int maxHeadDim) {
        this.pool = Objects.requireNonNull(pool, "pool");
        if (blockSize < TILE || blockSize % TILE != 0) {
            throw new IllegalArgumentException("block size " + blockSize + " is not a multiple of " + TILE);
        }
        if (maxHeadDim < 1) {
            throw new IllegalArgumentException("maxHeadDim must be positive: " + maxHeadDim);
        }
        this.blockSize = blockSize;
        this.maxHeadDim = maxHeadDim;
        this.scratch = new Scratch[pool.threads()];
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new Scratch(blockSize, maxHeadDim);
        }
    }

    public int blockSize() {
        return blockSize;
    }

    public ComputePool pool() {
        return pool;
    }

    /**
     * Runs {@code plan}: {@code out} (same layout as {@code q}) gets, per head and row, the
     * softmax-weighted sum of the values the plan lets the row attend; rows that attend
     * nothing get zeros.
     */
    public void forward(float[] q, float[] k, float[] v, AttentionShape shape, AttentionPlan plan, float[] out) {
        check(q, k, v, shape, plan, out);
        int rows = shape.heads() * shape.seqLen();
        if (rowMax.length < rows) {
            rowMax = new float[rows];
            rowSum = new float[rows];
        }
        Arrays.fill(rowMax, 0, rows, Float.NEGATIVE_INFINITY);
        Arrays.fill(rowSum, 0, rows, 0f);
        Arrays.fill(out, 0, shape.queryLength(), 0f);
        this.q = q;
        this.k = k;
        this.v = v;
        this.out = out;
        this.shape = shape;
        this.plan = plan;
        try {
            int passes = plan.maxPasses();
            for (int p = 0; p < passes; p++) {
                passIndex = p;
                int most = 0;
                for (HeadPlan head : plan.heads()) {
                    if (p < head.passes().size()) {
                        most = Math.max(most, head.passes().get(p).queryBlocks());
                    }
                }
                passQueryBlocks = most;
                nextTask.set(0);
                pool.run(passTask);
            }
        } finally {
            this.q = null;
            this.k = null;
            this.v = null;
            this.out = null;
            this.plan = null;
        }
    }

    private void check(float[] q, float[] k, float[] v, AttentionShape shape, AttentionPlan plan, float[] out) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(plan, "plan");
        if (q.length < shape.queryLength() || out.length < shape.queryLength()
                || k.length < shape.keyLength() || v.length < shape.keyLength()) {
            throw new IllegalArgumentException("arrays too short for " + shape);
        }
        if (out == q || out == k || out == v) {
            throw new IllegalArgumentException("out must not alias q, k or v");
        }
        if (shape.headDim() > maxHeadDim) {
            throw new IllegalArgumentException("head dim " + shape.headDim() + " over this instance's " + maxHeadDim);
        }
        if (plan.heads().size() != shape.heads()) {
            throw new IllegalArgumentException("plan has " + plan.heads().size() + " heads, shape " + shape.heads());
        }
        if (plan.blockSize() != blockSize) {
            throw new IllegalArgumentException("plan block size " + plan.blockSize() + " vs kernel " + blockSize);
        }
        for (HeadPlan head : plan.heads()) {
            for (BlockPass pass : head.passes()) {
                if (pass.maxToken >= shape.seqLen()) {
                    throw new IllegalArgumentException("pass reads token " + pass.maxToken + " of " + shape.seqLen());
                }
            }
        }
    }

    private void runPassPart(int member, int members) {
        Scratch s = scratch[member];
        int heads = shape.heads();
        int tasks = heads * passQueryBlocks;
        for (int t = nextTask.getAndIncrement(); t < tasks; t = nextTask.getAndIncrement()) {
            int head = t % heads;
            java.util.List<BlockPass> passes = plan.heads().get(head).passes();
            if (passIndex >= passes.size()) {
                continue;
            }
            BlockPass pass = passes.get(passIndex);
            int block = pass.queryBlocks() - 1 - t / heads;
            if (block < 0) {
                continue;
            }
            queryBlock(s, pass, head, block);
        }
    }

    private void queryBlock(Scratch s, BlockPass pass, int head, int block) {
        int d = shape.headDim();
        int n = shape.seqLen();
        int b = blockSize;
        int qBase = head * n * d;
        int kvBase = shape.kvHeadOf(head) * n * d;
        float scale = (float) (1.0 / Math.sqrt(d));
        float[] qt = s.queryTile;
        int slot0 = block * b;
        for (int i = 0; i < b; i++) {
            int token = pass.queryRows[slot0 + i];
            if (token < 0) {
                for (int p = 0; p < d; p++) {
                    qt[p * b + i] = 0f;
                }
            } else {
                int at = qBase + token * d;
                for (int p = 0; p < d; p++) {
                    qt[p * b + i] = q[at + p] * scale;
                }
            }
        }
        Arrays.fill(s.max, 0, b, Float.NEGATIVE_INFINITY);
        Arrays.fill(s.sum, 0, b, 0f);
        Arrays.fill(s.outTile, 0, d * b, 0f);
        boolean any = false;
        for (int r = pass.rangeOffsets[block]; r < pass.rangeOffsets[block + 1]; r++) {
            for (int j = pass.rangeStarts[r]; j < pass.rangeEnds[r]; j++) {
                int kind = pass.classify(block, j);
                if (kind == MaskRule.EMPTY) {
                    continue;
                }
                any = true;
                keyBlock(s, pass, block, j, kind == MaskRule.PARTIAL, kvBase, d);
            }
        }
        if (any) {
            merge(s, pass, head, block, d);
        }
    }

    private void keyBlock(Scratch s, BlockPass pass, int qBlock, int kBlock, boolean partial, int kvBase, int d) {
        int b = blockSize;
        int[] offsets = s.keyOffsets;
        int kSlot0 = kBlock * b;
        for (int j = 0; j < b; j++) {
            int token = pass.keyRows[kSlot0 + j];
            // Padding slots read row 0 of the head and are masked to -inf below.
            offsets[j] = kvBase + Math.max(token, 0) * d;
        }
        float[] st = s.scores;
        for (int j = 0; j < b; j += 4) {
            for (int c = 0; c < b; c += TILE) {
                scoreTile(s.queryTile, b, c, k, offsets[j], offsets[j + 1], offsets[j + 2], offsets[j + 3], d, st, j);
            }
        }
        if (partial) {
            applyMask(pass, qBlock, kBlock, st);
        }
        softmaxUpdate(s, d);
        for (int c = 0; c < b; c += TILE) {
            int p = 0;
            for (; p + 4 <= d; p += 4) {
                valueTile(st, b, c, v, offsets, p, s.outTile);
            }
            for (; p < d; p++) {
                valueColumn(st, b, c, v, offsets, p, s.outTile);
            }
        }
    }

    /** {@code St[j0..j0+3][c..c+TILE) = k rows . Qt columns}, 16 FMA accumulators. */
    private static void scoreTile(float[] qt, int b, int c, float[] k, int o0, int o1, int o2, int o3,
                                  int d, float[] st, int j0) {
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int p = 0; p < d; p++) {
            int at = p * b + c;
            FloatVector q0 = FloatVector.fromArray(SPECIES, qt, at);
            FloatVector q1 = FloatVector.fromArray(SPECIES, qt, at + LANES);
            FloatVector q2 = FloatVector.fromArray(SPECIES, qt, at + 2 * LANES);
            FloatVector q3 = FloatVector.fromArray(SPECIES, qt, at + 3 * LANES);
            FloatVector k0 = FloatVector.broadcast(SPECIES, k[o0 + p]);
            FloatVector k1 = FloatVector.broadcast(SPECIES, k[o1 + p]);
            FloatVector k2 = FloatVector.broadcast(SPECIES, k[o2 + p]);
            FloatVector k3 = FloatVector.broadcast(SPECIES, k[o3 + p]);
            a00 = q0.fma(k0, a00);
            a01 = q1.fma(k0, a01);
            a02 = q2.fma(k0, a02);
            a03 = q3.fma(k0, a03);
            a10 = q0.fma(k1, a10);
            a11 = q1.fma(k1, a11);
            a12 = q2.fma(k1, a12);
            a13 = q3.fma(k1, a13);
            a20 = q0.fma(k2, a20);
            a21 = q1.fma(k2, a21);
            a22 = q2.fma(k2, a22);
            a23 = q3.fma(k2, a23);
            a30 = q0.fma(k3, a30);
            a31 = q1.fma(k3, a31);
            a32 = q2.fma(k3, a32);
            a33 = q3.fma(k3, a33);
        }
        int r0 = j0 * b + c;
        int r1 = r0 + b;
        int r2 = r1 + b;
        int r3 = r2 + b;
        a00.intoArray(st, r0);
        a01.intoArray(st, r0 + LANES);
        a02.intoArray(st, r0 + 2 * LANES);
        a03.intoArray(st, r0 + 3 * LANES);
        a10.intoArray(st, r1);
        a11.intoArray(st, r1 + LANES);
        a12.intoArray(st, r1 + 2 * LANES);
        a13.intoArray(st, r1 + 3 * LANES);
        a20.intoArray(st, r2);
        a21.intoArray(st, r2 + LANES);
        a22.intoArray(st, r2 + 2 * LANES);
        a23.intoArray(st, r2 + 3 * LANES);
        a30.intoArray(st, r3);
        a31.intoArray(st, r3 + LANES);
        a32.intoArray(st, r3 + 2 * LANES);
        a33.intoArray(st, r3 + 3 * LANES);
    }

    /** Element-wise mask on a block the rule cuts through (diagonal, window edge, padding). */
    private void applyMask(BlockPass pass, int qBlock, int kBlock, float[] st) {
        int b = blockSize;
        MaskRule rule = pass.rule;
        int[] queryRows = pass.queryRows;
        int[] keyRows = pass.keyRows;
        int q0 = qBlock * b;
        int k0 = kBlock * b;
        for (int j = 0; j < b; j++) {
            int key = keyRows[k0 + j];
            if (pass.covered(qBlock, key)) {
                key = -1;
            }
            int row = j * b;
            for (int i = 0; i < b; i++) {
                int query = queryRows[q0 + i];
                if (key < 0 || query < 0 || !rule.allows(query, key)) {
                    st[row + i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    /** Online softmax over the key rows of {@code St}, vertical per query lane; rescales Ot. */
    private void softmaxUpdate(Scratch s, int d) {
        int b = blockSize;
        float[] st = s.scores;
        float[] max = s.max;
        float[] sum = s.sum;
        float[] alpha = s.alpha;
        FloatVector negInf = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int i = 0; i < b; i += LANES) {
            FloatVector blockMax = negInf;
            for (int j = 0; j < b; j++) {
                blockMax = blockMax.max(FloatVector.fromArray(SPECIES, st, j * b + i));
            }
            FloatVector oldMax = FloatVector.fromArray(SPECIES, max, i);
            FloatVector newMax = oldMax.max(blockMax);
            // A row with nothing allowed yet keeps max -inf; subtract 0 instead so exp gives 0, not NaN.
            VectorMask<Float> none = newMax.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY);
            FloatVector shift = newMax.blend(zero, none);
            FloatVector rescale = oldMax.sub(shift).lanewise(VectorOperators.EXP);
            FloatVector total = zero;
            for (int j = 0; j < b; j++) {
                int at = j * b + i;
                FloatVector e = FloatVector.fromArray(SPECIES, st, at).sub(shift).lanewise(VectorOperators.EXP);
                e.intoArray(st, at);
                total = total.add(e);
            }
            FloatVector.fromArray(SPECIES, sum, i).mul(rescale).add(total).intoArray(sum, i);
            newMax.intoArray(max, i);
            rescale.intoArray(alpha, i);
        }
        float[] ot = s.outTile;
        for (int p = 0; p < d; p++) {
            int row = p * b;
            for (int i = 0; i < b; i += LANES) {
                FloatVector.fromArray(SPECIES, ot, row + i).mul(FloatVector.fromArray(SPECIES, alpha, i))
                        .intoArray(ot, row + i);
            }
        }
    }

    /** {@code Ot[p..p+3][c..c+TILE) += sum_j v[j][p..p+3] * P[j][c..c+TILE)}, 16 accumulators. */
    private static void valueTile(float[] pt, int b, int c, float[] v, int[] offsets, int p, float[] ot) {
        int r0 = p * b + c;
        int r1 = r0 + b;
        int r2 = r1 + b;
        int r3 = r2 + b;
        FloatVector a00 = FloatVector.fromArray(SPECIES, ot, r0);
        FloatVector a01 = FloatVector.fromArray(SPECIES, ot, r0 + LANES);
        FloatVector a02 = FloatVector.fromArray(SPECIES, ot, r0 + 2 * LANES);
        FloatVector a03 = FloatVector.fromArray(SPECIES, ot, r0 + 3 * LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, ot, r1);
        FloatVector a11 = FloatVector.fromArray(SPECIES, ot, r1 + LANES);
        FloatVector a12 = FloatVector.fromArray(SPECIES, ot, r1 + 2 * LANES);
        FloatVector a13 = FloatVector.fromArray(SPECIES, ot, r1 + 3 * LANES);
        FloatVector a20 = FloatVector.fromArray(SPECIES, ot, r2);
        FloatVector a21 = FloatVector.fromArray(SPECIES, ot, r2 + LANES);
        FloatVector a22 = FloatVector.fromArray(SPECIES, ot, r2 + 2 * LANES);
        FloatVector a23 = FloatVector.fromArray(SPECIES, ot, r2 + 3 * LANES);
        FloatVector a30 = FloatVector.fromArray(SPECIES, ot, r3);
        FloatVector a31 = FloatVector.fromArray(SPECIES, ot, r3 + LANES);
        FloatVector a32 = FloatVector.fromArray(SPECIES, ot, r3 + 2 * LANES);
        FloatVector a33 = FloatVector.fromArray(SPECIES, ot, r3 + 3 * LANES);
        for (int j = 0; j < b; j++) {
            int at = j * b + c;
            FloatVector w0 = FloatVector.fromArray(SPECIES, pt, at);
            FloatVector w1 = FloatVector.fromArray(SPECIES, pt, at + LANES);
            FloatVector w2 = FloatVector.fromArray(SPECIES, pt, at + 2 * LANES);
            FloatVector w3 = FloatVector.fromArray(SPECIES, pt, at + 3 * LANES);
            int o = offsets[j] + p;
            FloatVector v0 = FloatVector.broadcast(SPECIES, v[o]);
            FloatVector v1 = FloatVector.broadcast(SPECIES, v[o + 1]);
            FloatVector v2 = FloatVector.broadcast(SPECIES, v[o + 2]);
            FloatVector v3 = FloatVector.broadcast(SPECIES, v[o + 3]);
            a00 = w0.fma(v0, a00);
            a01 = w1.fma(v0, a01);
            a02 = w2.fma(v0, a02);
            a03 = w3.fma(v0, a03);
            a10 = w0.fma(v1, a10);
            a11 = w1.fma(v1, a11);
            a12 = w2.fma(v1, a12);
            a13 = w3.fma(v1, a13);
            a20 = w0.fma(v2, a20);
            a21 = w1.fma(v2, a21);
            a22 = w2.fma(v2, a22);
            a23 = w3.fma(v2, a23);
            a30 = w0.fma(v3, a30);
            a31 = w1.fma(v3, a31);
            a32 = w2.fma(v3, a32);
            a33 = w3.fma(v3, a33);
        }
        a00.intoArray(ot, r0);
        a01.intoArray(ot, r0 + LANES);
        a02.intoArray(ot, r0 + 2 * LANES);
        a03.intoArray(ot, r0 + 3 * LANES);
        a10.intoArray(ot, r1);
        a11.intoArray(ot, r1 + LANES);
        a12.intoArray(ot, r1 + 2 * LANES);
        a13.intoArray(ot, r1 + 3 * LANES);
        a20.intoArray(ot, r2);
        a21.intoArray(ot, r2 + LANES);
        a22.intoArray(ot, r2 + 2 * LANES);
        a23.intoArray(ot, r2 + 3 * LANES);
        a30.intoArray(ot, r3);
        a31.intoArray(ot, r3 + LANES);
        a32.intoArray(ot, r3 + 2 * LANES);
        a33.intoArray(ot, r3 + 3 * LANES);
    }

    /** The scalar-tail column of {@link #valueTile} for a head dim not a multiple of 4. */
    private static void valueColumn(float[] pt, int b, int c, float[] v, int[] offsets, int p, float[] ot) {
        int r = p * b + c;
        FloatVector a0 = FloatVector.fromArray(SPECIES, ot, r);
        FloatVector a1 = FloatVector.fromArray(SPECIES, ot, r + LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, ot, r + 2 * LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, ot, r + 3 * LANES);
        for (int j = 0; j < b; j++) {
            int at = j * b + c;
            FloatVector x = FloatVector.broadcast(SPECIES, v[offsets[j] + p]);
            a0 = FloatVector.fromArray(SPECIES, pt, at).fma(x, a0);
            a1 = FloatVector.fromArray(SPECIES, pt, at + LANES).fma(x, a1);
            a2 = FloatVector.fromArray(SPECIES, pt, at + 2 * LANES).fma(x, a2);
            a3 = FloatVector.fromArray(SPECIES, pt, at + 3 * LANES).fma(x, a3);
        }
        a0.intoArray(ot, r);
        a1.intoArray(ot, r + LANES);
        a2.intoArray(ot, r + 2 * LANES);
        a3.intoArray(ot, r + 3 * LANES);
    }

    /**
     * Folds this pass's rows into the output by log-sum-exp: with the earlier passes' (m0, l0,
     * o0) and this pass's (m1, l1, Ot/l1), m = max(m0, m1), a = l0 e^(m0-m), c = l1 e^(m1-m),
     * o = (a o0 + c Ot/l1) / (a + c).
     */
    private void merge(Scratch s, BlockPass pass, int head, int block, int d) {
        int b = blockSize;
        int n = shape.seqLen();
        float[] ot = s.outTile;
        for (int i = 0; i < b; i++) {
            int token = pass.queryRows[block * b + i];
            float l1 = s.sum[i];
            if (token < 0 || l1 == 0f) {
                continue;
            }
            int stat = head * n + token;
            float m0 = rowMax[stat];
            float m1 = s.max[i];
            float m = Math.max(m0, m1);
            float a = m0 == Float.NEGATIVE_INFINITY ? 0f : rowSum[stat] * (float) Math.exp(m0 - m);
            float c = l1 * (float) Math.exp(m1 - m);
            float total = a + c;
            float keep = a / total;
            float add = c / (l1 * total);
            int at = (head * n + token) * d;
            for (int p = 0; p < d; p++) {
                out[at + p] = keep * out[at + p] + add * ot[p * b + i];
            }
            rowMax[stat] = m;
            rowSum[stat] = total;
        }
    }

    @Override
    public String toString() {
        return "TiledAttention[" + SPECIES.vectorBitSize() + "-bit, block " + blockSize + ", "
                + pool.threads() + " threads]";
    }

    /** One member's tiles. */
    private static final class Scratch {
        final float[] queryTile; // (d, B) scaled queries, transposed
        final float[] scores;    // (B keys, B queries) scores, then probabilities
        final float[] outTile;   // (d, B) unnormalised output, transposed
        final float[] max;       // (B) running max per query slot
        final float[] sum;
        final float[] alpha;
        final int[] keyOffsets;  // (B) start of each key row of the current block in k / v

        Scratch(int b, int d) {
            queryTile = new float[d * b];
            scores = new float[b * b];
            outTile = new float[d * b];
            max = new float[b];
            sum = new float[b];
            alpha = new float[b];
            keyOffsets = new int[b];
        }
    }
}
