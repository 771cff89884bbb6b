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

    DifferentialAttention(Checkpoint checkpoint, String prefix, int layer, Role role, SambaYConfig config,
            CpuKernels kernels, int slot) {
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
    public void forward(int rows, ContextState state, SambaYWorkspace ws) {
        int first = state.position();
        int qDim = config.queryDim();
        int kvDim = config.kvDim();
        int stride = role == Role.CROSS ? qDim : qDim + 2 * kvDim;
        projection.forward(ws.normed, 0, rows, ws.qkv, 0);
        switch (role) {
            case SLIDING_WINDOW -> {
                SlidingWindowKvCache cache = state.cache(slot, SlidingWindowKvCache.class);
                int start = Math.max(0, first - (config.slidingWindow() - 1));
                attendAll(rows, first, start, stride, ws, (position, kvOffset, keys) -> {
                    if (position < first) {
                        return keys ? cache.keys() : cache.values();
                    }
                    return ws.qkv;
                }, (position, kvOffset) -> position < first ? cache.offset(position)
                        : (position - first) * stride + kvOffset);
                cache.append(ws.qkv, qDim, qDim + kvDim, stride, rows);
            }
            case SHARED_FULL -> {
                KvCache cache = state.cache(slot, KvCache.class);
                cache.append(ws.qkv, qDim, qDim + kvDim, stride, rows);
                attendCached(rows, first, stride, cache, ws);
            }
            case CROSS -> {
                KvCache cache = state.cache(slot, KvCache.class);
                if (cache.length() != first + rows) {
                    throw new IllegalStateException("shared KV cache holds " + cache.length()
                            + " positions, expected " + (first + rows));
                }
                attendCached(rows, first, stride, cache, ws);
            }
        }
        combine(rows, ws);
        outProjection.forward(ws.heads1, 0, rows, ws.mixed, 0);
    }

    private void attendCached(int rows, int first, int stride, KvCache cache, SambaYWorkspace ws) {
        attendAll(rows, first, 0, stride, ws, (position, kvOffset, keys) -> keys ? cache.keys() : cache.values(),
                (position, kvOffset) -> cache.offset(position));
    }

    /** Which array holds position p's keys (or values). */
    private interface KeyArray {
        float[] of(int position, int kvOffset, boolean keys);
    }

    /** Offset of position p's kv row (head 0) in that array. */
    private interface KeyOffset {
        int of(int position, int kvOffset);
    }

    /**
     * For every kv pair: gathers keys and values of positions {@code [start, first + rows)} and
     * attends the query pairs of its group, q1 into {@code ws.heads1}, q2 into {@code ws.heads2}.
     */
    private void attendAll(int rows, int first, int start, int stride, SambaYWorkspace ws, KeyArray array,
            KeyOffset offset) {
        int hd = config.headDim();
        int qDim = config.queryDim();
        int keyOffset = qDim; // where a fresh row's keys start; values follow at + kvDim
        int valueOffset = qDim + config.kvDim();
        int keyCount = first + rows - start;
        int window = role == Role.SLIDING_WINDOW ? config.slidingWindow() : CausalAttention.FULL;
        float scale = (float) (1 / Math.sqrt(hd));
        int pairsPerKv = config.heads() / config.kvHeads();
        CausalAttention attention = ws.attention;
        attention.reserve(keyCount, hd, 2 * hd);
        for (int kvPair = 0; kvPair < config.kvHeads() / 2; kvPair++) {
            float[] valuesT = attention.valuesTransposed();
            for (int j = 0; j < keyCount; j++) {
                int position = start + j;
                float[] values = array.of(position, valueOffset, false);
                int base = offset.of(position, valueOffset) + 2 * kvPair * hd;
                for (int e = 0; e < 2 * hd; e++) {
                    valuesT[e * keyCount + j] = values[base + e];
                }
            }
            for (int half = 0; half < 2; half++) {
                float[] keys = attention.keys();
                for (int j = 0; j < keyCount; j++) {
                    int position = start + j;
                    int base = offset.of(position, keyOffset) + (2 * kvPair + half) * hd;
                    System.arraycopy(array.of(position, keyOffset, true), base, keys, j * hd, hd);
                }
                float[] out = half == 0 ? ws.heads1 : ws.heads2;
                for (int pair = kvPair * pairsPerKv; pair < (kvPair + 1) * pairsPerKv; pair++) {
                    int queryHead = 2 * pair + half;
                    attention.attend(ws.qkv, queryHead * hd, stride, rows, first, keyCount, start, hd, 2 * hd,
                            window, scale, out, pair * 2 * hd, qDim);
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
