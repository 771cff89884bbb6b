package dev.vstream.model.nemotron;

import dev.vstream.kernels.attention.AttentionPlan;
import dev.vstream.kernels.attention.AttentionShape;
import dev.vstream.kernels.attention.RowAttentionLayout;
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
import dev.vstream.model.loader.Checkpoint;
import java.util.List;

/**
 * An {@code a} operator: grouped-query causal softmax attention with RoPE, full context (the
 * reference's fused_mha kernel has no window). With {@code h = RMSNorm(x)}:
 *
 * <pre>
 *   q = RoPE(N_q(h Wq^T)), k = RoPE(N_k(h Wk^T)), v = h Wv^T   (heads of d = hidden / heads;
 *                                                              N: per-head RMSNorm if kq_norm = rms)
 *   o_i = softmax_j(q_i . k_g(i),j / sqrt(d)) v_g(i),j   (query head i reads KV head i / (heads / kvHeads))
 *   x <- x + concat_i(o_i) Wo^T
 * </pre>
 *
 * Keys are cached after RoPE, one {@link KvCache} slot, memory-token positions included.
 *
 * <p>Sparse prefill ({@link #forwardSparse}): the whole sequence of a fresh context at once,
 * the projections, norms, RoPE and cache appends exactly as {@link #forward} does them in
 * chunks of the same rows, the attention itself by MMInference's
 * {@link PermutedBlockSparseAttention} with one {@link HeadConfig} per query head.
 */
final class GroupedQueryAttention implements Operator {

    private final Tensor norm; // (hidden)
    private final float eps;
    private final Linear query;  // (heads * headDim, hidden)
    private final Linear key;    // (kvHeads * headDim, hidden)
    private final Linear value;  // (kvHeads * headDim, hidden)
    private final Linear output; // (hidden, heads * headDim)
    private final Tensor queryNorm; // (headDim), or null without kq_norm
    private final Tensor keyNorm;   // (headDim), or null without kq_norm
    private final RotaryEmbedding rope; // null without RoPE
    private final int hidden;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float scale;
    private final CausalAttention attention;
    private final CpuKernels kernels;
    private final RowAttentionLayout rowLayout; // one query row over the cache
    private final float[] valueRow;             // (headDim): a cached value head, for the transposing gather

    GroupedQueryAttention(Checkpoint checkpoint, String prefix, NemotronFlashConfig config, CausalAttention attention,
            CpuKernels kernels) {
        this.hidden = config.hiddenSize();
        this.heads = config.attentionHeads();
        this.kvHeads = config.keyValueHeads();
        this.headDim = config.headDim();
        this.norm = checkpoint.tensor(prefix + "input_layernorm.weight", hidden);
        this.eps = (float) config.rmsNormEps();
        String attn = prefix + "self_attn.";
        this.query = Linear.load(checkpoint, attn + "q_proj", heads * headDim, hidden, false, kernels);
        this.key = Linear.load(checkpoint, attn + "k_proj", kvHeads * headDim, hidden, false, kernels);
        this.value = Linear.load(checkpoint, attn + "v_proj", kvHeads * headDim, hidden, false, kernels);
        this.output = Linear.load(checkpoint, attn + "o_proj", hidden, heads * headDim, false, kernels);
        this.queryNorm = config.queryKeyNorm() ? checkpoint.tensor(attn + "q_norm.weight", headDim) : null;
        this.keyNorm = config.queryKeyNorm() ? checkpoint.tensor(attn + "k_norm.weight", headDim) : null;
        this.rope = config.rope() ? new RotaryEmbedding(headDim, config.ropeBase()) : null;
        this.scale = (float) (1 / Math.sqrt(headDim));
        this.attention = attention;
        this.kernels = kernels;
        this.rowLayout = RowAttentionLayout.grouped(heads, kvHeads, headDim);
        this.valueRow = new float[headDim];
    }

    @Override
    public int cacheSlots() {
        return 1;
    }

    @Override
    public List<LayerCache> newCaches() {
        return List.of(new KvCache(kvHeads * headDim));
    }

    @Override
    public void forward(float[] x, int rows, int firstPosition, ContextState state, int firstSlot, Scratch scratch) {
        KvCache cache = state.cache(firstSlot, KvCache.class);
        if (cache.length() != firstPosition) {
            throw new IllegalStateException("KV cache holds " + cache.length() + " positions, expected " + firstPosition);
        }
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        float[] q = scratch.get(Scratch.A, (long) rows * qDim);            // (rows, heads * headDim)
        float[] keysAndValues = scratch.get(Scratch.B, 2L * rows * kvDim); // (rows, kvDim) keys, then values
        float[] context = scratch.get(Scratch.C, (long) rows * qDim);      // (rows, heads * headDim)
        project(x, 0, rows, scratch, q, keysAndValues);
        if (rope != null) {
            rope.apply(q, 0, qDim, rows, heads, firstPosition);
            rope.apply(keysAndValues, 0, kvDim, rows, kvHeads, firstPosition);
        }
        cache.append(keysAndValues, 0, rows * kvDim, kvDim, rows);
        if (rows == 1) {
            // A decode step (or a one-token prompt): the cache read in place, every head at once.
            attention.attendCached(q, 0, rowLayout, cache, scale, context, 0);
            output.forwardAdd(context, 0, rows, x, 0);
            return;
        }
        int keyCount = cache.length();
        int group = heads / kvHeads;
        attention.reserve(keyCount, headDim, headDim);
        for (int g = 0; g < kvHeads; g++) {
            gather(cache, g, keyCount);
            for (int h = g * group; h < (g + 1) * group; h++) {
                attention.attend(q, h * headDim, qDim, rows, firstPosition, keyCount, 0, headDim, headDim,
                        CausalAttention.FULL, scale, context, h * headDim, qDim);
            }
        }
        output.forwardAdd(context, 0, rows, x, 0);
    }

    @Override
    public void forwardBatch(float[] x, List<ContextState> contexts, int firstSlot, Scratch scratch) {
        int rows = contexts.size();
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        float[] q = scratch.get(Scratch.A, (long) rows * qDim);
        float[] keysAndValues = scratch.get(Scratch.B, 2L * rows * kvDim);
        float[] context = scratch.get(Scratch.C, (long) rows * qDim);
        project(x, 0, rows, scratch, q, keysAndValues);
        for (int r = 0; r < rows; r++) {
            ContextState state = contexts.get(r);
            int position = state.position();
            KvCache cache = state.cache(firstSlot, KvCache.class);
            if (cache.length() != position) {
                throw new IllegalStateException("KV cache holds " + cache.length() + " positions, expected " + position);
            }
            if (rope != null) {
                rope.apply(q, r * qDim, qDim, 1, heads, position);
                rope.apply(keysAndValues, r * kvDim, kvDim, 1, kvHeads, position);
            }
            cache.append(keysAndValues, r * kvDim, (rows + r) * kvDim, kvDim, 1);
            attention.attendCached(q, r * qDim, rowLayout, cache, scale, context, r * qDim);
        }
        output.forwardAdd(context, 0, rows, x, 0);
    }

    /**
     * RMSNorm, then the q, k, v projections of {@code rows} rows of {@code x} from row {@code firstRow} (and their
     * norms when the model has them): q {@code (rows, heads * headDim)}, keys then values {@code (rows, kvDim)} each.
     */
    private void project(float[] x, int firstRow, int rows, Scratch scratch, float[] q, float[] keysAndValues) {
        int kvDim = kvHeads * headDim;
        float[] normed = scratch.get(Scratch.NORMED, (long) rows * hidden);
        kernels.norms().rmsNorm(x, firstRow * hidden, normed, 0, rows, hidden, norm, eps);
        query.forward(normed, 0, rows, q, 0);
        key.forward(normed, 0, rows, keysAndValues, 0);
        value.forward(normed, 0, rows, keysAndValues, rows * kvDim);
        if (queryNorm != null) {
            float eps = NemotronFlashConfig.QUERY_KEY_NORM_EPS;
            kernels.norms().rmsNorm(q, 0, q, 0, rows * heads, headDim, queryNorm, eps);
            kernels.norms().rmsNorm(keysAndValues, 0, keysAndValues, 0, rows * kvHeads, headDim, keyNorm, eps);
        }
    }

    /** What a sparse prefill computed, for tests: valid until the scratch is used again. */
    record SparseTrace(float[] q, float[] k, float[] v, float[] out, AttentionShape shape, AttentionPlan plan) {
    }

    int heads() {
        return heads;
    }

    int kvHeads() {
        return kvHeads;
    }

    int headDim() {
        return headDim;
    }

    /**
     * Runs all {@code rows} positions of a fresh context ({@code 0 .. rows - 1}) with sparse
     * prefill attention: q, k, v of every row (projected, normed and rotated in chunks of
     * {@code chunkRows}, appended to the cache as {@link #forward} on the same chunks does),
     * then one {@link PermutedBlockSparseAttention#prefill} over the sequence with
     * {@code configs} (one per query head) and {@code spans} (covering {@code rows}), then the
     * output projection added to {@code x (rows, hidden)}.
     */
    SparseTrace forwardSparse(float[] x, int rows, ContextState state, int firstSlot, Scratch scratch,
            PermutedBlockSparseAttention sparse, ModalitySpans spans, List<HeadConfig> configs, int chunkRows) {
        KvCache cache = state.cache(firstSlot, KvCache.class);
        if (cache.length() != 0) {
            throw new IllegalStateException("sparse prefill needs an empty KV cache, it holds " + cache.length());
        }
        if (spans.seqLen() != rows || configs.size() != heads) {
            throw new IllegalArgumentException("sparse prefill of " + rows + " rows, " + heads + " heads got spans of "
                    + spans.seqLen() + " and " + configs.size() + " head configs");
        }
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        AttentionShape shape = new AttentionShape(heads, kvHeads, rows, headDim);
        float[] qAll = scratch.get(Scratch.D, shape.queryLength()); // (heads, rows, headDim)
        float[] kAll = scratch.get(Scratch.E, shape.keyLength());   // (kvHeads, rows, headDim)
        float[] vAll = scratch.get(Scratch.F, shape.keyLength());
        float[] outAll = scratch.get(Scratch.G, shape.queryLength());
        for (int start = 0; start < rows; start += chunkRows) {
            int n = Math.min(chunkRows, rows - start);
            float[] q = scratch.get(Scratch.A, (long) n * qDim);
            float[] keysAndValues = scratch.get(Scratch.B, 2L * n * kvDim);
            project(x, start, n, scratch, q, keysAndValues);
            if (rope != null) {
                rope.apply(q, 0, qDim, n, heads, start);
                rope.apply(keysAndValues, 0, kvDim, n, kvHeads, start);
            }
            cache.append(keysAndValues, 0, n * kvDim, kvDim, n);
            for (int r = 0; r < n; r++) {
                int token = start + r;
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(q, r * qDim + h * headDim, qAll, (h * rows + token) * headDim, headDim);
                }
                for (int g = 0; g < kvHeads; g++) {
                    System.arraycopy(keysAndValues, r * kvDim + g * headDim, kAll, (g * rows + token) * headDim,
                            headDim);
                    System.arraycopy(keysAndValues, (n + r) * kvDim + g * headDim, vAll,
                            (g * rows + token) * headDim, headDim);
                }
            }
        }
        AttentionPlan plan = sparse.prefill(qAll, kAll, vAll, shape, spans, configs, outAll);
        for (int start = 0; start < rows; start += chunkRows) {
            int n = Math.min(chunkRows, rows - start);
            float[] context = scratch.get(Scratch.C, (long) n * qDim);
            for (int r = 0; r < n; r++) {
                int token = start + r;
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(outAll, (h * rows + token) * headDim, context, r * qDim + h * headDim, headDim);
                }
            }
            output.forwardAdd(context, 0, n, x, start * hidden);
        }
        return new SparseTrace(qAll, kAll, vAll, outAll, shape, plan);
    }

    /** KV head {@code g}'s keys {@code (keys, headDim)} and transposed values into the attention's buffers. */
    private void gather(KvCache cache, int g, int keyCount) {
        float[] keys = attention.keys();
        float[] valuesTransposed = attention.valuesTransposed();
        for (int p = 0; p < keyCount; p++) {
            cache.copyKeys(p, g * headDim, keys, p * headDim, headDim);
            cache.copyValues(p, g * headDim, valueRow, 0, headDim);
            for (int d = 0; d < headDim; d++) {
                valuesTransposed[d * keyCount + p] = valueRow[d];
            }
        }
    }
}
