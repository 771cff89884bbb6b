package dev.vstream.kernels.attention;

import dev.vstream.kernels.linalg.ComputePool;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowAttention} on the Vector API, split over the compute pool by position
 * (flash-decoding): each member takes a contiguous range of cached rows and keeps, per head, a
 * running maximum, a running sum of exponentials and a weighted sum of value rows (an online
 * softmax over blocks of {@value #BLOCK} rows, whose scores stay in L1); the caller merges the
 * members' partial results. Every key and value row is read once, in order, for all heads (heads
 * that read the same columns in pairs, each loaded vector serving both); bf16 rows halve the bytes
 * read, widened a block at a time into fp32 scratch.
 *
 * <p>Thread-safe: concurrent calls take turns, as they would on the shared pool anyway.
 */
public final class VectorRowAttention implements RowAttention {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /** As many bf16 lanes as there are float lanes. */
    private static final VectorSpecies<Short> HALVES =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    private static final int LANES = FLOATS.length();
    /** Rows scored before their values are summed. */
    private static final int BLOCK = 128;
    /** Below this many rows one thread does it all: waking the pool would cost more than it saves. */
    private static final int MIN_SPLIT = 4096;

    private final ComputePool pool;
    private final ComputePool.Task task = this::runPart;
    private Partial[] partials = new Partial[0];

    // The call in flight, read by every pool member (published by ComputePool.run).
    private RowAttentionLayout layout;
    private KvRows first;
    private KvRows second;
    private int parts;
    private int[] keyPairs;   // of the layout: heads reading the same key columns, in pairs
    private int[] valuePairs; // heads reading the same value columns

    public VectorRowAttention(ComputePool pool) {
        this.pool = pool;
    }

    /** What one member accumulates over its rows. */
    private static final class Partial {
        final float[] query;  // (heads, headDim), scaled
        final float[] max;    // (heads)
        final float[] sum;    // (heads)
        final float[] values; // (heads, valueWidth)
        final float[] scores; // (heads, BLOCK)
        final int rowWidth;
        float[] keyBlock;         // (BLOCK, rowWidth): a bf16 block widened, made on the first one
        float[] valueBlock;       // (BLOCK, rowWidth)

        Partial(RowAttentionLayout layout) {
            query = new float[layout.heads() * layout.headDim()];
            max = new float[layout.heads()];
            sum = new float[layout.heads()];
            values = new float[layout.heads() * layout.valueWidth()];
            scores = new float[layout.heads() * BLOCK];
            rowWidth = layout.rowWidth();
        }

        boolean fits(RowAttentionLayout layout) {
            return query.length == layout.heads() * layout.headDim() && max.length == layout.heads()
                    && values.length == layout.heads() * layout.valueWidth()
                    && rowWidth == layout.rowWidth();
        }
    }

    @Override
    public synchronized void attend(float[] query, int queryOffset, RowAttentionLayout layout, float scale,
                                    KvRows first, KvRows second, float[] out, int outOffset) {
        layout.check(query, queryOffset, first, second, out, outOffset);
        int n = first.rows() + second.rows();
        int members = n < MIN_SPLIT ? 1 : pool.threads();
        prepare(layout, members);
        for (int m = 0; m < members; m++) {
            float[] scaled = partials[m].query;
            for (int i = 0; i < scaled.length; i++) {
                scaled[i] = query[queryOffset + i] * scale;
            }
        }
        if (!layout.equals(this.layout)) {
            keyPairs = pairs(layout.keyColumns());
            valuePairs = pairs(layout.valueColumns());
        }
        this.layout = layout;
        this.first = first;
        this.second = second;
        this.parts = members;
        try {
            if (members == 1) {
                runPart(0, 1);
            } else {
                pool.run(task);
            }
        } finally {
            this.first = null;
            this.second = null;
        }
        merge(layout, members, out, outOffset);
    }

    private void prepare(RowAttentionLayout layout, int members) {
        if (partials.length < members) {
            partials = Arrays.copyOf(partials, members);
        }
        for (int m = 0; m < members; m++) {
            if (partials[m] == null || !partials[m].fits(layout)) {
                partials[m] = new Partial(layout);
            }
        }
    }

    private void runPart(int member, int members) {
        if (member >= parts) {
            return;
        }
        Partial p = partials[member];
        Arrays.fill(p.max, Float.NEGATIVE_INFINITY);
        Arrays.fill(p.sum, 0f);
        Arrays.fill(p.values, 0f);
        int split = first.rows();
        int n = split + second.rows();
        int from = (int) ((long) n * member / parts);
        int to = (int) ((long) n * (member + 1) / parts);
        while (from < to) {
            // A block never straddles the two runs of rows.
            int end = Math.min(to, from + BLOCK);
            if (from < split && end > split) {
                end = split;
            }
            if (from < split) {
                block(p, first, from, end - from);
            } else {
                block(p, second, from - split, end - from);
            }
            from = end;
        }
    }

    /**
     * Rows {@code start .. start + count - 1} of {@code rows}: scores, online softmax, value sums. A bf16 block is
     * widened into fp32 scratch first (from L1/L2, cheap next to the arithmetic), so one set of loops serves both.
     */
    private void block(Partial p, KvRows rows, int start, int count) {
        RowAttentionLayout l = layout;
        int rw = l.rowWidth();
        float[] keys;
        float[] values;
        int base;
        switch (rows) {
            case KvRows.F32 f -> {
                keys = f.keys();
                values = f.values();
                base = start * rw;
            }
            case KvRows.Bf16 b -> {
                if (p.keyBlock == null) {
                    p.keyBlock = new float[BLOCK * rw];
                    p.valueBlock = new float[BLOCK * rw];
                }
                widen(b.keys(), start * rw, p.keyBlock, count * rw);
                widen(b.values(), start * rw, p.valueBlock, count * rw);
                keys = p.keyBlock;
                values = p.valueBlock;
                base = 0;
            }
        }
        int hd = l.headDim();
        int vw = l.valueWidth();
        // Heads reading the same columns go in pairs: each row vector loaded once serves both.
        for (int i = 0; i < keyPairs.length; i += 2) {
            int a = keyPairs[i];
            int b = keyPairs[i + 1];
            if (b < 0) {
                scores(p.query, a * hd, keys, base + l.keyColumn(a), rw, hd, count, p.scores, a * BLOCK);
            } else {
                scores(p.query, a * hd, b * hd, keys, base + l.keyColumn(a), rw, hd, count, p.scores, a * BLOCK,
                        b * BLOCK);
            }
        }
        for (int h = 0; h < l.heads(); h++) {
            exponentiate(p, h, count, vw);
        }
        for (int i = 0; i < valuePairs.length; i += 2) {
            int a = valuePairs[i];
            int b = valuePairs[i + 1];
            if (b < 0) {
                sumValues(p.scores, a * BLOCK, values, base + l.valueColumn(a), rw, count, p.values, a * vw, vw);
            } else {
                sumValues(p.scores, a * BLOCK, b * BLOCK, values, base + l.valueColumn(a), rw, count, p.values,
                        a * vw, b * vw, vw);
            }
        }
    }

    /**
     * Heads as pairs {@code (a, b)} that read the same columns ({@code b = -1}: no partner), every head once:
     * grouped-query heads of one key-value head, differential attention's maps of one pair.
     */
    static int[] pairs(int[] columns) {
        int[] out = new int[2 * columns.length];
        boolean[] used = new boolean[columns.length];
        int n = 0;
        for (int a = 0; a < columns.length; a++) {
            if (used[a]) {
                continue;
            }
            int b = -1;
            for (int h = a + 1; h < columns.length && b < 0; h++) {
                if (!used[h] && columns[h] == columns[a]) {
                    b = h;
                    used[h] = true;
                }
            }
            out[n++] = a;
            out[n++] = b;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Head {@code h}'s block scores become {@code exp(score - max)} against the new running
     * maximum; what was accumulated against the old one is rescaled.
     */
    private static void exponentiate(Partial p, int h, int count, int vw) {
        int at = h * BLOCK;
        float blockMax = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < count; j++) {
            blockMax = Math.max(blockMax, p.scores[at + j]);
        }
        float old = p.max[h];
        float max = Math.max(old, blockMax);
        if (old != max && old != Float.NEGATIVE_INFINITY) {
            float rescale = (float) Math.exp(old - max);
            p.sum[h] *= rescale;
            for (int c = 0; c < vw; c++) {
                p.values[h * vw + c] *= rescale;
            }
        }
        p.max[h] = max;
        FloatVector shift = FloatVector.broadcast(FLOATS, max);
        FloatVector sums = FloatVector.zero(FLOATS);
        int j = 0;
        for (int bound = FLOATS.loopBound(count); j < bound; j += LANES) {
            FloatVector e = FloatVector.fromArray(FLOATS, p.scores, at + j).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(p.scores, at + j);
            sums = sums.add(e);
        }
        float sum = sums.reduceLanes(VectorOperators.ADD);
        for (; j < count; j++) {
            float e = (float) Math.exp(p.scores[at + j] - max);
            p.scores[at + j] = e;
            sum += e;
        }
        p.sum[h] += sum;
    }

    /** Combines the members' running sums: each rescaled to the overall maximum. */
    private void merge(RowAttentionLayout layout, int members, float[] out, int outOffset) {
        int vw = layout.valueWidth();
        for (int h = 0; h < layout.heads(); h++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int m = 0; m < members; m++) {
                max = Math.max(max, partials[m].max[h]);
            }
            float total = 0;
            int o = outOffset + h * vw;
            Arrays.fill(out, o, o + vw, 0f);
            for (int m = 0; m < members; m++) {
                Partial p = partials[m];
                if (p.max[h] == Float.NEGATIVE_INFINITY) {
                    continue; // a member without rows
                }
                float weight = (float) Math.exp(p.max[h] - max);
                total += weight * p.sum[h];
                for (int c = 0; c < vw; c++) {
                    out[o + c] += weight * p.values[h * vw + c];
                }
            }
            float inverse = 1f / total;
            for (int c = 0; c < vw; c++) {
                out[o + c] *= inverse;
            }
        }
    }

    /** {@code out[j] = q . k[kAt + j * stride ..]} for {@code j < count}. */
    private static void scores(float[] q, int qAt, float[] k, int kAt, int stride, int width, int count,
                               float[] out, int outAt) {
        int bound = FLOATS.loopBound(width);
        for (int j = 0; j < count; j++) {
            int row = kAt + j * stride;
            FloatVector acc = FloatVector.zero(FLOATS);
            int d = 0;
            for (; d < bound; d += LANES) {
                acc = FloatVector.fromArray(FLOATS, k, row + d).fma(FloatVector.fromArray(FLOATS, q, qAt + d), acc);
            }
            float s = acc.reduceLanes(VectorOperators.ADD);
            for (; d < width; d++) {
                s = Math.fma(q[qAt + d], k[row + d], s);
            }
            out[outAt + j] = s;
        }
    }

    /** {@link #scores} of two heads over the same key columns: each key vector loaded once. */
    private static void scores(float[] q, int qa, int qb, float[] k, int kAt, int stride, int width, int count,
                               float[] out, int outA, int outB) {
        int bound = FLOATS.loopBound(width);
        for (int j = 0; j < count; j++) {
            int row = kAt + j * stride;
            FloatVector x = FloatVector.zero(FLOATS);
            FloatVector y = FloatVector.zero(FLOATS);
            int d = 0;
            for (; d < bound; d += LANES) {
                FloatVector key = FloatVector.fromArray(FLOATS, k, row + d);
                x = key.fma(FloatVector.fromArray(FLOATS, q, qa + d), x);
                y = key.fma(FloatVector.fromArray(FLOATS, q, qb + d), y);
            }
            float sx = x.reduceLanes(VectorOperators.ADD);
            float sy = y.reduceLanes(VectorOperators.ADD);
            for (; d < width; d++) {
                sx = Math.fma(q[qa + d], k[row + d], sx);
                sy = Math.fma(q[qb + d], k[row + d], sy);
            }
            out[outA + j] = sx;
            out[outB + j] = sy;
        }
    }

    /** {@link #sumValues} of two heads over the same value columns: each value vector loaded once. */
    private static void sumValues(float[] w, int wa, int wb, float[] v, int vAt, int stride, int count, float[] dst,
                                  int da, int db, int width) {
        int c = 0;
        for (; c + 2 * LANES <= width; c += 2 * LANES) {
            FloatVector a0 = FloatVector.fromArray(FLOATS, dst, da + c);
            FloatVector a1 = FloatVector.fromArray(FLOATS, dst, da + c + LANES);
            FloatVector b0 = FloatVector.fromArray(FLOATS, dst, db + c);
            FloatVector b1 = FloatVector.fromArray(FLOATS, dst, db + c + LANES);
            for (int j = 0; j < count; j++) {
                int row = vAt + j * stride + c;
                FloatVector v0 = FloatVector.fromArray(FLOATS, v, row);
                FloatVector v1 = FloatVector.fromArray(FLOATS, v, row + LANES);
                FloatVector x = FloatVector.broadcast(FLOATS, w[wa + j]);
                FloatVector y = FloatVector.broadcast(FLOATS, w[wb + j]);
                a0 = v0.fma(x, a0);
                a1 = v1.fma(x, a1);
                b0 = v0.fma(y, b0);
                b1 = v1.fma(y, b1);
            }
            a0.intoArray(dst, da + c);
            a1.intoArray(dst, da + c + LANES);
            b0.intoArray(dst, db + c);
            b1.intoArray(dst, db + c + LANES);
        }
        for (; c + LANES <= width; c += LANES) {
            FloatVector a = FloatVector.fromArray(FLOATS, dst, da + c);
            FloatVector b = FloatVector.fromArray(FLOATS, dst, db + c);
            for (int j = 0; j < count; j++) {
                FloatVector v0 = FloatVector.fromArray(FLOATS, v, vAt + j * stride + c);
                a = v0.fma(FloatVector.broadcast(FLOATS, w[wa + j]), a);
                b = v0.fma(FloatVector.broadcast(FLOATS, w[wb + j]), b);
            }
            a.intoArray(dst, da + c);
            b.intoArray(dst, db + c);
        }
        for (; c < width; c++) {
            float a = dst[da + c];
            float b = dst[db + c];
            for (int j = 0; j < count; j++) {
                float value = v[vAt + j * stride + c];
                a = Math.fma(w[wa + j], value, a);
                b = Math.fma(w[wb + j], value, b);
            }
            dst[da + c] = a;
            dst[db + c] = b;
        }
    }

    /**
     * {@code dst[c] += sum_j w[wAt + j] * v[vAt + j * stride + c]} for {@code c < width}: columns four vectors at
     * a time, summed in registers over the block's rows (the rows come from L1/L2 again for the next four).
     */
    private static void sumValues(float[] w, int wAt, float[] v, int vAt, int stride, int count, float[] dst,
                                  int dstAt, int width) {
        int c = 0;
        for (; c + 4 * LANES <= width; c += 4 * LANES) {
            FloatVector a0 = FloatVector.fromArray(FLOATS, dst, dstAt + c);
            FloatVector a1 = FloatVector.fromArray(FLOATS, dst, dstAt + c + LANES);
            FloatVector a2 = FloatVector.fromArray(FLOATS, dst, dstAt + c + 2 * LANES);
            FloatVector a3 = FloatVector.fromArray(FLOATS, dst, dstAt + c + 3 * LANES);
            for (int j = 0; j < count; j++) {
                FloatVector weight = FloatVector.broadcast(FLOATS, w[wAt + j]);
                int row = vAt + j * stride + c;
                a0 = FloatVector.fromArray(FLOATS, v, row).fma(weight, a0);
                a1 = FloatVector.fromArray(FLOATS, v, row + LANES).fma(weight, a1);
                a2 = FloatVector.fromArray(FLOATS, v, row + 2 * LANES).fma(weight, a2);
                a3 = FloatVector.fromArray(FLOATS, v, row + 3 * LANES).fma(weight, a3);
            }
            a0.intoArray(dst, dstAt + c);
            a1.intoArray(dst, dstAt + c + LANES);
            a2.intoArray(dst, dstAt + c + 2 * LANES);
            a3.intoArray(dst, dstAt + c + 3 * LANES);
        }
        for (; c + LANES <= width; c += LANES) {
            // Two chains over alternate rows, so the FMAs' latency overlaps.
            FloatVector a = FloatVector.fromArray(FLOATS, dst, dstAt + c);
            FloatVector b = FloatVector.zero(FLOATS);
            int j = 0;
            for (; j + 1 < count; j += 2) {
                int row = vAt + j * stride + c;
                a = FloatVector.fromArray(FLOATS, v, row).fma(FloatVector.broadcast(FLOATS, w[wAt + j]), a);
                b = FloatVector.fromArray(FLOATS, v, row + stride).fma(FloatVector.broadcast(FLOATS, w[wAt + j + 1]), b);
            }
            if (j < count) {
                a = FloatVector.fromArray(FLOATS, v, vAt + j * stride + c).fma(FloatVector.broadcast(FLOATS, w[wAt + j]), a);
            }
            a.add(b).intoArray(dst, dstAt + c);
        }
        for (; c < width; c++) {
            float a = dst[dstAt + c];
            for (int j = 0; j < count; j++) {
                a = Math.fma(w[wAt + j], v[vAt + j * stride + c], a);
            }
            dst[dstAt + c] = a;
        }
    }

    /** {@code length} bf16 entries from {@code from} as floats: sign-extended to int lanes, shifted up by 16 (exact). */
    private static void widen(short[] bits, int from, float[] dst, int length) {
        int i = 0;
        for (int bound = FLOATS.loopBound(length); i < bound; i += LANES) {
            IntVector wide = (IntVector) ShortVector.fromArray(HALVES, bits, from + i)
                    .convertShape(VectorOperators.S2I, INTS, 0);
            wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, i);
        }
        for (; i < length; i++) {
            dst[i] = Float.intBitsToFloat((bits[from + i] & 0xFFFF) << 16);
        }
    }

    @Override
    public String toString() {
        return "VectorRowAttention[" + FLOATS.vectorBitSize() + "-bit, " + pool.threads() + " threads]";
    }
}
