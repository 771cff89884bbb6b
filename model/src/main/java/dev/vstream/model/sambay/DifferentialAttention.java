package dev.vstream.model.sambay;

import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.lm.CausalAttention;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.KvCache;
import dev.vstream.model.lm.LayerCache;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.lm.SlidingWindowKvCache;
import dev.vstream.model.loader.Checkpoint;
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
    private final Linear outProjection;   // (d, qDim) with bias
    private final Tensor subLayerNorm;    // (2 headDim): RMSNorm weight of each pair's output
    private final float lambda;
    private final float lambdaInit;
    private final int queryChunk;

    DifferentialAttention(Checkpoint checkpoint, String prefix, int layer, Role role, SambaYConfig config,
            CpuKernels kernels, int slot, int queryChunk) {
        if (queryChunk <= 0) {
            throw new IllegalArgumentException("queryChunk must be positive, got " + queryChunk);
        }
        this.queryChunk = queryChunk;
        this.config = config;
        this.kernels = kernels;
        this.role = role;
        this.slot = slot;
        int d = config.hiddenSize();
        int projected = role == Role.CROSS ? config.queryDim() : config.queryDim() + 2 * config.kvDim();
        this.projection = Linear.load(checkpoint, prefix + "Wqkv", projected, d, true, kernels);
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

    @Override
    public void forward(int rows, int position, ContextState state, SambaYWorkspace ws) {
        int qDim = config.queryDim();
        int kvDim = config.kvDim();
        int stride = role == Role.CROSS ? qDim : qDim + 2 * kvDim;
        projection.forward(ws.normed, 0, rows, ws.qkv, 0);
        switch (role) {
            case SLIDING_WINDOW -> {
                // Keys older than the new rows come from the ring (read before it is
                // overwritten), the new rows' keys straight from the projection.
                SlidingWindowKvCache cache = state.cache(slot, SlidingWindowKvCache.class);
                requireLength(cache.length(), position);
                attendAll(rows, position, stride, ws, new KeySource() {
                    @Override
                    public float[] keys(int p) {
                        return p < position ? cache.keys() : ws.qkv;
                    }

                    @Override
                    public float[] values(int p) {
                        return p < position ? cache.values() : ws.qkv;
                    }

                    @Override
                    public int keyOffset(int p) {
                        return p < position ? cache.offset(p) : (p - position) * stride + qDim;
                    }

                    @Override
                    public int valueOffset(int p) {
                        return p < position ? cache.offset(p) : (p - position) * stride + qDim + kvDim;
                    }
                });
                cache.append(ws.qkv, qDim, qDim + kvDim, stride, rows);
            }
            case SHARED_FULL -> {
                KvCache cache = state.cache(slot, KvCache.class);
                requireLength(cache.length(), position);
                cache.append(ws.qkv, qDim, qDim + kvDim, stride, rows);
                attendAll(rows, position, stride, ws, cached(cache));
            }
            case CROSS -> {
                KvCache cache = state.cache(slot, KvCache.class);
                requireLength(cache.length(), position + rows);
                attendAll(rows, position, stride, ws, cached(cache));
            }
        }
        combine(rows, ws);
        outProjection.forward(ws.heads1, 0, rows, ws.mixed, 0);
    }

    private static void requireLength(int held, int expected) {
        if (held != expected) {
            throw new IllegalStateException("KV cache holds " + held + " positions, expected " + expected
                    + ": the context is out of step with the model");
        }
    }

    /** Where the keys and values of position p are: an array and the offset of its kv row. */
    private interface KeySource {
        float[] keys(int position);

        float[] values(int position);

        int keyOffset(int position);

        int valueOffset(int position);
    }

    private static KeySource cached(KvCache cache) {
        return new KeySource() {
            @Override
            public float[] keys(int position) {
                return cache.keys();
            }

            @Override
            public float[] values(int position) {
                return cache.values();
            }

            @Override
            public int keyOffset(int position) {
                return cache.offset(position);
            }

            @Override
            public int valueOffset(int position) {
                return cache.offset(position);
            }
        };
    }

    /**
     * Attends the new rows in chunks of {@code queryChunk} queries (so the score matrix stays
     * chunk x keys): per chunk and kv pair, gathers the keys and values the chunk can see
     * (the window, or every earlier position) and attends the query pairs of its group, q1
     * into {@code ws.heads1}, q2 into {@code ws.heads2}.
     */
    private void attendAll(int rows, int position, int stride, SambaYWorkspace ws, KeySource source) {
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
                    int p = firstKey + j;
                    float[] values = source.values(p);
                    int base = source.valueOffset(p) + 2 * kvPair * hd;
                    for (int e = 0; e < 2 * hd; e++) {
                        valuesT[e * keyCount + j] = values[base + e];
                    }
                }
                for (int half = 0; half < 2; half++) {
                    float[] keys = attention.keys();
                    for (int j = 0; j < keyCount; j++) {
                        int p = firstKey + j;
                        System.arraycopy(source.keys(p), source.keyOffset(p) + (2 * kvPair + half) * hd, keys, j * hd, hd);
                    }
                    float[] out = half == 0 ? ws.heads1 : ws.heads2;
                    for (int pair = kvPair * pairsPerKv; pair < (kvPair + 1) * pairsPerKv; pair++) {
                        int queryHead = 2 * pair + half;
                        attention.attend(ws.qkv, chunk * stride + queryHead * hd, stride, chunkRows, firstQuery,
                                keyCount, firstKey, hd, 2 * hd, window, scale, out, chunk * qDim + pair * 2 * hd, qDim);
                    }
                }
            }
        }
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
