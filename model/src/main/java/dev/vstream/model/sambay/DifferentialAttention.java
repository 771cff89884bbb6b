package dev.vstream.model.sambay;

import dev.vstream.kernels.attention.AttentionPlan;
import dev.vstream.kernels.attention.AttentionShape;
import dev.vstream.kernels.attention.RowAttentionLayout;
import dev.vstream.kernels.attention.TiledAttention;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.sparse.HeadConfig;
import dev.vstream.kernels.sparse.ModalitySpans;
import dev.vstream.kernels.sparse.PermutedBlockSparseAttention;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.lm.CausalAttention;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.KvCache;
import dev.vstream.model.lm.LayerCache;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.lm.SlidingWindowKvCache;
import dev.vstream.model.loader.Checkpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * Differential attention (Ye et al. 2024) with grouped key-value heads and no positional
 * encoding, in its three SambaY roles: sliding-window self-attention, the full attention layer
 * whose K/V the cross-decoder shares (YOCO), and cross attention over those K/V (q only).
 *
 * <p>Heads pair up interleaved: pair {@code i} has query heads {@code 2i} (q1) and {@code 2i+1}
 * (q2), kv pair {@code j} key heads {@code 2j} (k1), {@code 2j+1} (k2) and the value
 * {@code [v_2j | v_2j+1]} (2 headDim wide); query pair {@code i} uses kv pair
 * {@code i / (heads / kvHeads)}. Per pair:
 *
 * <pre>
 *   O = (1 - lambda_init) RMSNorm(softmax(q1 k1^T / sqrt(hd) + M) V - lambda softmax(q2 k2^T / sqrt(hd) + M) V)
 *   lambda = exp(lambda_q1 . lambda_k1) - exp(lambda_q2 . lambda_k2) + lambda_init
 *   lambda_init = 0.8 - 0.6 exp(-0.3 layer)          (0-based layer index)
 * </pre>
 *
 * and pair {@code i}'s output fills heads {@code 2i, 2i+1} of {@code out_proj}'s input. M is
 * causal; a sliding-window query at {@code t} sees keys {@code t - window + 1 .. t}.
 */
final class DifferentialAttention implements TokenMixer {

    /** Default queries per score matrix, which is then at most that many x keys floats. */
    static final int QUERY_CHUNK = 256;

    /** Where keys and values come from. */
    enum Role { SLIDING_WINDOW, SHARED_FULL, CROSS }

    private final SambaYConfig config;
    private final CpuKernels kernels;
    private final Role role;
    private final int slot;               // own cache (SLIDING_WINDOW, SHARED_FULL) or the shared one (CROSS)
    private final Linear projection;      // Wqkv: (qDim + 2 kvDim, d) or (qDim, d) for CROSS, with bias
    private final Linear kvProjection;    // SHARED_FULL only: rows [qDim, qDim + 2 kvDim) of Wqkv, else null
    private final Linear outProjection;   // (d, qDim) with bias
    private final Tensor subLayerNorm;    // (2 headDim): RMSNorm weight of each pair's output
    private final float lambda;
    private final float lambdaInit;
    private final int queryChunk;
    private final RowAttentionLayout rowLayout; // one row over the shared cache

    DifferentialAttention(Checkpoint checkpoint, String prefix, int layer, Role role, SambaYConfig config,
            CpuKernels kernels, int slot, int queryChunk) {
        if (queryChunk <= 0) {
            throw new IllegalArgumentException("queryChunk must be positive, got " + queryChunk);
        }
        this.queryChunk = queryChunk;
        this.config = config;
        this.rowLayout = rowLayout(config);
        this.kernels = kernels;
        this.role = role;
        this.slot = slot;
        int d = config.hiddenSize();
        int projected = role == Role.CROSS ? config.queryDim() : config.queryDim() + 2 * config.kvDim();
        this.projection = Linear.load(checkpoint, prefix + "Wqkv", projected, d, true, kernels);
        // The shared layer's keys and values alone (rows [qDim, qDim + 2 kvDim) of the fused projection): a prompt's
        // rows whose attention output nothing reads only fill the cache (see appendSharedKv).
        this.kvProjection = role != Role.SHARED_FULL ? null : new Linear(
                Linear.rows(checkpoint.tensor(prefix + "Wqkv.weight", projected, d), config.queryDim(), projected),
                Linear.rows(checkpoint.tensor(prefix + "Wqkv.bias", projected), config.queryDim(), projected), kernels);
        this.outProjection = Linear.load(checkpoint, prefix + "out_proj", d, config.queryDim(), true, kernels);
        String inner = prefix + "inner_cross_attn.";
        int hd = config.headDim();
        this.subLayerNorm = checkpoint.tensor(inner + "subln.weight", 2L * hd);
        double init = 0.8 - 0.6 * Math.exp(-0.3 * layer);
        double first = Math.exp(dot(checkpoint.tensor(inner + "lambda_q1", hd), checkpoint.tensor(inner + "lambda_k1", hd)));
        double second = Math.exp(dot(checkpoint.tensor(inner + "lambda_q2", hd), checkpoint.tensor(inner + "lambda_k2", hd)));
        this.lambdaInit = (float) init;
        this.lambda = (float) (first - second + init);
    }

    private static double dot(Tensor a, Tensor b) {
        double sum = 0;
        for (int i = 0; i < a.elementCount(); i++) {
            sum += (double) a.getFloat(i) * b.getFloat(i);
        }
        return sum;
    }

    @Override
    public void addCaches(List<LayerCache> slots) {
        switch (role) {
            case SLIDING_WINDOW -> slots.add(new SlidingWindowKvCache(config.slidingWindow(), config.kvDim()));
            case SHARED_FULL -> slots.add(new KvCache(config.kvDim()));
            case CROSS -> { } // reads the shared layer's cache
        }
    }

    /**
     * The shared layer over rows whose attention output nothing reads (YOCO prefill: only the cross-decoder reads
     * it, and it runs for the last row alone): their keys and values from {@code ws.normed} into the cache, no
     * queries, no attention.
     */
    void appendSharedKv(int rows, int position, ContextState state, SambaYWorkspace ws) {
        requireShared();
        int kvDim = config.kvDim();
        KvCache cache = state.cache(slot, KvCache.class);
        requireLength(cache.length(), position);
        kvProjection.forward(ws.normed, 0, rows, ws.qkv, 0);
        cache.append(ws.qkv, 0, kvDim, 2 * kvDim, rows);
    }

    /**
     * The shared layer for rows whose keys and values {@link #appendSharedKv} already cached: their queries attend
     * the cache (themselves included), then the usual combine and output projection into {@code ws.mixed}.
     */
    void forwardCached(int rows, int position, ContextState state, SambaYWorkspace ws) {
        requireShared();
        KvCache cache = state.cache(slot, KvCache.class);
        requireLength(cache.length(), position + rows);
        projection.forward(ws.normed, 0, rows, ws.qkv, 0);
        attendCached(0, rows, position, config.queryDim() + 2 * config.kvDim(), ws, cache);
        combine(rows, ws);
        outProjection.forward(ws.heads1, 0, rows, ws.mixed, 0);
    }

    @Override
    public void forward(int rows, int position, ContextState state, SambaYWorkspace ws) {
        projection.forward(ws.normed, 0, rows, ws.qkv, 0);
        attend(0, rows, position, state, ws);
        combine(rows, ws);
        outProjection.forward(ws.heads1, 0, rows, ws.mixed, 0);
    }

    @Override
    public void forwardBatch(List<ContextState> contexts, SambaYWorkspace ws) {
        int rows = contexts.size();
        projection.forward(ws.normed, 0, rows, ws.qkv, 0);
        for (int r = 0; r < rows; r++) {
            ContextState context = contexts.get(r);
            attend(r, 1, context.position(), context, ws);
        }
        combine(rows, ws);
        outProjection.forward(ws.heads1, 0, rows, ws.mixed, 0);
    }

    /**
     * The attention of projected rows {@code first .. first + rows - 1} of {@code ws.qkv}, consecutive tokens of
     * {@code state} from {@code position}, into the same rows of {@code ws.heads1} and {@code ws.heads2}, updating
     * this layer's cache.
     */
    private void attend(int first, int rows, int position, ContextState state, SambaYWorkspace ws) {
        int qDim = config.queryDim();
        int kvDim = config.kvDim();
        int stride = role == Role.CROSS ? qDim : qDim + 2 * kvDim;
        int at = first * stride; // the first row's projections
        switch (role) {
            case SLIDING_WINDOW -> {
                // Keys older than the new rows come from the ring (read before it is
                // overwritten), the new rows' keys straight from the projection.
                SlidingWindowKvCache cache = state.cache(slot, SlidingWindowKvCache.class);
                requireLength(cache.length(), position);
                attendAll(first, rows, position, stride, ws, new KeySource() {
                    @Override
                    public void copyKeys(int p, int column, float[] dst, int dstOffset, int width) {
                        if (p < position) {
                            System.arraycopy(cache.keys(), cache.offset(p) + column, dst, dstOffset, width);
                        } else {
                            System.arraycopy(ws.qkv, at + (p - position) * stride + qDim + column, dst, dstOffset,
                                    width);
                        }
                    }

                    @Override
                    public void copyValues(int p, int column, float[] dst, int dstOffset, int width) {
                        if (p < position) {
                            System.arraycopy(cache.values(), cache.offset(p) + column, dst, dstOffset, width);
                        } else {
                            System.arraycopy(ws.qkv, at + (p - position) * stride + qDim + kvDim + column, dst,
                                    dstOffset, width);
                        }
                    }
                });
                cache.append(ws.qkv, at + qDim, at + qDim + kvDim, stride, rows);
            }
            case SHARED_FULL -> {
                KvCache cache = state.cache(slot, KvCache.class);
                requireLength(cache.length(), position);
                cache.append(ws.qkv, at + qDim, at + qDim + kvDim, stride, rows);
                attendCached(first, rows, position, stride, ws, cache);
            }
            case CROSS -> {
                // The shared cache holds at least the new rows (more in a sparse prefill, which
                // fills it for the whole sequence first); the mask reads none past them.
                KvCache cache = state.cache(slot, KvCache.class);
                if (cache.length() < position + rows) {
                    requireLength(cache.length(), position + rows);
                }
                attendCached(first, rows, position, stride, ws, cache);
            }
        }
    }

    private static void requireLength(int held, int expected) {
        if (held != expected) {
            throw new IllegalStateException("KV cache holds " + held + " positions, expected " + expected
                    + ": the context is out of step with the model");
        }
    }

    /**
     * The new rows attend the shared cache: one row (a decode step, a prompt's last row) reads the cache in place
     * ({@link CausalAttention#attendCached}), more rows gather their keys and values per chunk.
     */
    private void attendCached(int first, int rows, int position, int stride, SambaYWorkspace ws, KvCache cache) {
        if (rows > 1) {
            attendAll(first, rows, position, stride, ws, new KeySource() {
                @Override
                public void copyKeys(int p, int column, float[] dst, int dstOffset, int width) {
                    cache.copyKeys(p, column, dst, dstOffset, width);
                }

                @Override
                public void copyValues(int p, int column, float[] dst, int dstOffset, int width) {
                    cache.copyValues(p, column, dst, dstOffset, width);
                }
            });
            return;
        }
        if (cache.length() != position + 1) {
            requireLength(cache.length(), position + 1);
        }
        int hd = config.headDim();
        ws.attention.attendCached(ws.qkv, first * stride, rowLayout, cache, (float) (1 / Math.sqrt(hd)), ws.rowOutput,
                0);
        int out = first * config.queryDim();
        for (int head = 0; head < config.heads(); head++) {
            // Head 2i + half is map `half` of pair i; each map weighs both value heads of its kv pair: [v_2j | v_2j+1].
            System.arraycopy(ws.rowOutput, head * 2 * hd, head % 2 == 0 ? ws.heads1 : ws.heads2,
                    out + head / 2 * 2 * hd, 2 * hd);
        }
    }

    /**
     * Which cached columns each query head reads: head {@code 2i + half} (pair i, map {@code half}) scores key head
     * {@code 2j + half} of its kv pair {@code j} and weighs the pair's two value heads.
     */
    private static RowAttentionLayout rowLayout(SambaYConfig config) {
        int hd = config.headDim();
        int pairsPerKv = config.heads() / config.kvHeads();
        int[] keyColumns = new int[config.heads()];
        int[] valueColumns = new int[config.heads()];
        for (int head = 0; head < config.heads(); head++) {
            int kvPair = head / 2 / pairsPerKv;
            keyColumns[head] = (2 * kvPair + head % 2) * hd;
            valueColumns[head] = 2 * kvPair * hd;
        }
        return new RowAttentionLayout(config.heads(), hd, config.kvDim(), keyColumns, valueColumns, 2 * hd);
    }

    /** Where the keys and values of position p are: copied out, {@code width} entries from column {@code column}. */
    private interface KeySource {
        void copyKeys(int position, int column, float[] dst, int dstOffset, int width);

        void copyValues(int position, int column, float[] dst, int dstOffset, int width);
    }

    /**
     * Attends the new rows ({@code first ..} of {@code ws.qkv}, one sequence) in chunks of {@code queryChunk} queries (so the score matrix stays
     * chunk x keys): per chunk and kv pair, gathers the keys and values the chunk can see
     * (the window, or every earlier position) and attends the query pairs of its group, q1
     * into {@code ws.heads1}, q2 into {@code ws.heads2}.
     */
    private void attendAll(int first, int rows, int position, int stride, SambaYWorkspace ws, KeySource source) {
        int hd = config.headDim();
        int qDim = config.queryDim();
        int window = role == Role.SLIDING_WINDOW ? config.slidingWindow() : CausalAttention.FULL;
        float scale = (float) (1 / Math.sqrt(hd));
        int pairsPerKv = config.heads() / config.kvHeads();
        CausalAttention attention = ws.attention;
        for (int chunk = 0; chunk < rows; chunk += queryChunk) {
            int chunkRows = Math.min(queryChunk, rows - chunk);
            int firstQuery = position + chunk;
            int firstKey = (int) Math.max(0, (long) firstQuery - window + 1);
            int keyCount = firstQuery + chunkRows - firstKey;
            attention.reserve(keyCount, hd, 2 * hd);
            for (int kvPair = 0; kvPair < config.kvHeads() / 2; kvPair++) {
                float[] valuesT = attention.valuesTransposed();
                for (int j = 0; j < keyCount; j++) {
                    source.copyValues(firstKey + j, 2 * kvPair * hd, ws.valueRow, 0, 2 * hd);
                    for (int e = 0; e < 2 * hd; e++) {
                        valuesT[e * keyCount + j] = ws.valueRow[e];
                    }
                }
                for (int half = 0; half < 2; half++) {
                    float[] keys = attention.keys();
                    for (int j = 0; j < keyCount; j++) {
                        source.copyKeys(firstKey + j, (2 * kvPair + half) * hd, keys, j * hd, hd);
                    }
                    float[] out = half == 0 ? ws.heads1 : ws.heads2;
                    for (int pair = kvPair * pairsPerKv; pair < (kvPair + 1) * pairsPerKv; pair++) {
                        int queryHead = 2 * pair + half;
                        attention.attend(ws.qkv, (first + chunk) * stride + queryHead * hd, stride, chunkRows,
                                firstQuery, keyCount, firstKey, hd, 2 * hd, window, scale, out,
                                (first + chunk) * qDim + pair * 2 * hd, qDim);
                    }
                }
            }
        }
    }

    Role role() {
        return role;
    }

    float lambda() {
        return lambda;
    }

    float lambdaInit() {
        return lambdaInit;
    }

    /**
     * The inputs and outputs of one sparse prefill of the shared full-attention layer over a
     * fresh context of {@code seqLen} positions, in the kernel's layout: per map
     * {@code half} (0: q1 k1, 1: q2 k2) the queries {@code (heads / 2, seqLen, headDim)} of
     * query heads {@code 2i + half}, the keys {@code (kvHeads / 2, seqLen, headDim)} of key
     * heads {@code 2j + half}; per value {@code part} the values {@code v_2j+part}; the outputs
     * {@code out[half][part]} (layout of the queries) and the plan of each map.
     */
    record SparsePass(int seqLen, AttentionShape shape, float[][] q, float[][] k, float[][] v, float[][][] out,
            AttentionPlan[] plans) {
    }

    /** Allocates the buffers of a sparse pass over {@code seqLen} positions. */
    SparsePass newSparsePass(int seqLen) {
        requireShared();
        int hd = config.headDim();
        AttentionShape shape = new AttentionShape(config.heads() / 2, config.kvHeads() / 2, seqLen, hd);
        float[][] q = {new float[shape.queryLength()], new float[shape.queryLength()]};
        float[][] k = {new float[shape.keyLength()], new float[shape.keyLength()]};
        float[][] v = {new float[shape.keyLength()], new float[shape.keyLength()]};
        float[][][] out = {{new float[shape.queryLength()], new float[shape.queryLength()]},
                {new float[shape.queryLength()], new float[shape.queryLength()]}};
        return new SparsePass(seqLen, shape, q, k, v, out, new AttentionPlan[2]);
    }

    private void requireShared() {
        if (role != Role.SHARED_FULL) {
            throw new IllegalStateException("sparse prefill is for the shared full-attention layer, this is " + role);
        }
    }

    /**
     * Sparse pass, step 1 for the block of {@code rows} positions from {@code position}: the
     * projection of {@code ws.normed}, the cache append exactly as {@link #forward}, and the
     * q, k, v of the block scattered into {@code pass}.
     */
    void projectForSparse(int rows, int position, ContextState state, SambaYWorkspace ws, SparsePass pass) {
        requireShared();
        int qDim = config.queryDim();
        int kvDim = config.kvDim();
        int hd = config.headDim();
        int stride = qDim + 2 * kvDim;
        int n = pass.seqLen();
        projection.forward(ws.normed, 0, rows, ws.qkv, 0);
        KvCache cache = state.cache(slot, KvCache.class);
        requireLength(cache.length(), position);
        cache.append(ws.qkv, qDim, qDim + kvDim, stride, rows);
        int pairs = config.heads() / 2;
        int kvPairs = config.kvHeads() / 2;
        for (int r = 0; r < rows; r++) {
            int t = position + r;
            int base = r * stride;
            for (int half = 0; half < 2; half++) {
                for (int i = 0; i < pairs; i++) {
                    System.arraycopy(ws.qkv, base + (2 * i + half) * hd, pass.q()[half], (i * n + t) * hd, hd);
                }
                for (int j = 0; j < kvPairs; j++) {
                    System.arraycopy(ws.qkv, base + qDim + (2 * j + half) * hd, pass.k()[half], (j * n + t) * hd, hd);
                    System.arraycopy(ws.qkv, base + qDim + kvDim + (2 * j + half) * hd, pass.v()[half],
                            (j * n + t) * hd, hd);
                }
            }
        }
    }

    /**
     * Sparse pass, step 2: per map, one plan with the patterns of its query heads
     * ({@code heads.get(2i + half)} for pair i) and the attention of both value halves under it.
     */
    void attendSparse(SparsePass pass, PermutedBlockSparseAttention sparse, TiledAttention tiled,
            ModalitySpans spans, List<HeadConfig> heads) {
        requireShared();
        if (heads.size() != config.heads() || spans.seqLen() != pass.seqLen()) {
            throw new IllegalArgumentException("sparse prefill of " + pass.seqLen() + " positions, " + config.heads()
                    + " heads got spans of " + spans.seqLen() + " and " + heads.size() + " head configs");
        }
        for (int half = 0; half < 2; half++) {
            List<HeadConfig> mapHeads = new ArrayList<>(config.heads() / 2);
            for (int i = 0; i < config.heads() / 2; i++) {
                mapHeads.add(heads.get(2 * i + half));
            }
            AttentionPlan plan = sparse.plan(pass.q()[half], pass.k()[half], pass.shape(), spans, mapHeads);
            pass.plans()[half] = plan;
            for (int part = 0; part < 2; part++) {
                tiled.forward(pass.q()[half], pass.k()[half], pass.v()[part], pass.shape(), plan,
                        pass.out()[half][part]);
            }
        }
    }

    /**
     * Sparse pass, step 3 for the block of {@code rows} positions from {@code position}: the
     * two maps' outputs into {@code ws.heads1}, {@code ws.heads2}, combined and projected into
     * {@code ws.mixed} as {@link #forward} does.
     */
    void outputSparse(int rows, int position, SambaYWorkspace ws, SparsePass pass) {
        requireShared();
        int qDim = config.queryDim();
        int hd = config.headDim();
        int n = pass.seqLen();
        for (int r = 0; r < rows; r++) {
            int t = position + r;
            for (int i = 0; i < config.heads() / 2; i++) {
                for (int part = 0; part < 2; part++) {
                    int from = (i * n + t) * hd;
                    int to = r * qDim + i * 2 * hd + part * hd;
                    System.arraycopy(pass.out()[0][part], from, ws.heads1, to, hd);
                    System.arraycopy(pass.out()[1][part], from, ws.heads2, to, hd);
                }
            }
        }
        combine(rows, ws);
        outProjection.forward(ws.heads1, 0, rows, ws.mixed, 0);
    }

    /** The sub-layer norm weight, for tests. */
    Tensor subLayerNorm() {
        return subLayerNorm;
    }

    /** heads1 := (1 - lambda_init) RMSNorm(heads1 - lambda heads2), per pair of 2 headDim. */
    private void combine(int rows, SambaYWorkspace ws) {
        int size = rows * config.queryDim();
        for (int i = 0; i < size; i++) {
            ws.heads1[i] -= lambda * ws.heads2[i];
        }
        int pairWidth = 2 * config.headDim();
        kernels.norms().rmsNorm(ws.heads1, 0, ws.heads1, 0, size / pairWidth, pairWidth, subLayerNorm, 1e-5f);
        float outputScale = 1 - lambdaInit;
        for (int i = 0; i < size; i++) {
            ws.heads1[i] *= outputScale;
        }
    }
}
