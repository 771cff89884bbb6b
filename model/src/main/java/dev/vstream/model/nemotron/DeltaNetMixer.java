package dev.vstream.model.nemotron;

import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.ConvState;
import dev.vstream.model.lm.DeltaRuleState;
import dev.vstream.model.lm.LayerCache;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.loader.Checkpoint;
import java.util.Arrays;
import java.util.List;

/**
 * A {@code deltanet} operator (checkpoint attribute {@code gla}): the FLA DeltaNet layer with
 * the reference's settings ({@code use_beta, use_short_conv, qk_activation=silu, qk_norm=l2},
 * no gate, no negative eigenvalues). With {@code h = RMSNorm(x)} and H heads of d = hidden / H:
 *
 * <pre>
 *   q = SiLU(conv4(h Wq^T)), k = SiLU(conv4(h Wk^T)), v = SiLU(conv4(h Wv^T))   (no conv bias)
 *   q^ = q / sqrt(|q|^2 + 1e-6) / sqrt(d),  k^ = k / sqrt(|k|^2 + 1e-6)        (per head)
 *   beta = sigmoid(h W_b^T)                                                     (one per head)
 *   S_t = S_(t-1) + k^ (beta (v - S_(t-1)^T k^))^T,   o = S_t^T q^              (S: (d, d) per head)
 *   x <- x + W_o concat_heads(RMSNorm_d(o) * w_o_norm)                         (eps 1e-5)
 * </pre>
 *
 * The plain delta rule, run position by position in prefill and decode alike. Caches: the
 * three convs' last 4 raw inputs and the delta-rule state.
 */
final class DeltaNetMixer implements Operator {

    private static final float L2_EPS = 1e-6f;

    private final Tensor norm; // (hidden)
    private final float eps;
    private final Linear query;  // (hidden, hidden)
    private final Linear key;    // (hidden, hidden)
    private final Linear value;  // (hidden, hidden)
    private final Linear beta;   // (heads, hidden)
    private final Linear output; // (hidden, hidden)
    private final ShortConvolution queryConv;
    private final ShortConvolution keyConv;
    private final ShortConvolution valueConv;
    private final Tensor outputNorm; // (headDim)
    private final int hidden;
    private final int heads;
    private final int headDim;
    private final float[] retrieved; // (headDim): S^T k^ of the current head
    private final CpuKernels kernels;

    DeltaNetMixer(Checkpoint checkpoint, String prefix, NemotronFlashConfig config, CpuKernels kernels) {
        this.hidden = config.hiddenSize();
        this.heads = config.attentionHeads();
        this.headDim = config.headDim();
        this.kernels = kernels;
        this.norm = checkpoint.tensor(prefix + "input_layernorm.weight", hidden);
        this.eps = (float) config.rmsNormEps();
        String g = prefix + "gla.";
        this.query = Linear.load(checkpoint, g + "q_proj", hidden, hidden, false, kernels);
        this.key = Linear.load(checkpoint, g + "k_proj", hidden, hidden, false, kernels);
        this.value = Linear.load(checkpoint, g + "v_proj", hidden, hidden, false, kernels);
        this.beta = Linear.load(checkpoint, g + "b_proj", heads, hidden, false, kernels);
        this.output = Linear.load(checkpoint, g + "o_proj", hidden, hidden, false, kernels);
        this.queryConv = conv(checkpoint, g + "q_conv1d.weight");
        this.keyConv = conv(checkpoint, g + "k_conv1d.weight");
        this.valueConv = conv(checkpoint, g + "v_conv1d.weight");
        this.outputNorm = checkpoint.tensor(g + "o_norm.weight", headDim);
        this.retrieved = new float[headDim];
    }

    private ShortConvolution conv(Checkpoint checkpoint, String name) {
        int width = NemotronFlashConfig.DELTANET_CONV_WIDTH;
        return new ShortConvolution(checkpoint.tensor(name, hidden, 1, width).toFloatArray(), null, hidden, width);
    }

    @Override
    public int cacheSlots() {
        return 4;
    }

    @Override
    public List<LayerCache> newCaches() {
        return List.of(queryConv.newState(), keyConv.newState(), valueConv.newState(),
                new DeltaRuleState(heads, headDim, headDim));
    }

    @Override
    public void forward(float[] x, int rows, int firstPosition, ContextState state, int firstSlot, Scratch scratch) {
        mix(x, rows, null, state, firstSlot, scratch);
    }

    @Override
    public void forwardBatch(float[] x, List<ContextState> contexts, int firstSlot, Scratch scratch) {
        mix(x, contexts.size(), contexts, null, firstSlot, scratch);
    }

    /** {@code rows} consecutive tokens of {@code state}, or one token of each of {@code perRow}'s contexts. */
    private void mix(float[] x, int rows, List<ContextState> perRow, ContextState state, int firstSlot,
            Scratch scratch) {
        long size = (long) rows * hidden;
        float[] normed = scratch.get(Scratch.NORMED, size);
        float[] projected = scratch.get(Scratch.A, size); // (rows, hidden), before the conv
        float[] q = scratch.get(Scratch.B, size);         // (rows, heads, headDim)
        float[] k = scratch.get(Scratch.C, size);
        float[] v = scratch.get(Scratch.D, size);
        float[] gates = scratch.get(Scratch.E, (long) rows * heads); // (rows, heads): beta
        float[] o = scratch.get(Scratch.F, size);         // (rows, heads, headDim)
        kernels.norms().rmsNorm(x, 0, normed, 0, rows, hidden, norm, eps);
        project(query, queryConv, normed, rows, projected, perRow, state, firstSlot, q);
        project(key, keyConv, normed, rows, projected, perRow, state, firstSlot + 1, k);
        project(value, valueConv, normed, rows, projected, perRow, state, firstSlot + 2, v);
        beta.forward(normed, 0, rows, gates, 0);
        float queryScale = (float) (1 / Math.sqrt(headDim));
        float[] fastWeights = null; // (heads, headDim, headDim)
        for (int t = 0; t < rows; t++) {
            if (t == 0 || perRow != null) {
                fastWeights = (perRow == null ? state : perRow.get(t)).cache(firstSlot + 3, DeltaRuleState.class).state();
            }
            for (int h = 0; h < heads; h++) {
                int at = t * hidden + h * headDim;
                float b = (float) (1 / (1 + Math.exp(-gates[t * heads + h])));
                step(fastWeights, h * headDim * headDim, q, k, v, at, b, queryScale, o);
            }
        }
        kernels.norms().rmsNorm(o, 0, o, 0, rows * heads, headDim, outputNorm, NemotronFlashConfig.DELTANET_NORM_EPS);
        output.forwardAdd(o, 0, rows, x, 0);
    }

    /** Projection, causal conv (per context in a batch: the conv state in {@code slot}) and SiLU into {@code out}. */
    private void project(Linear projection, ShortConvolution conv, float[] normed, int rows, float[] projected,
            List<ContextState> perRow, ContextState state, int slot, float[] out) {
        projection.forward(normed, 0, rows, projected, 0);
        if (perRow == null) {
            conv.forward(projected, 0, hidden, rows, state.cache(slot, ConvState.class), out, 0);
        } else {
            for (int r = 0; r < rows; r++) {
                conv.forward(projected, r * hidden, hidden, 1, perRow.get(r).cache(slot, ConvState.class), out,
                        r * hidden);
            }
        }
        kernels.activations().silu(out, 0, rows * hidden);
    }

    /**
     * One head at one position: q, k, v at {@code at} (raw, after the conv), the state
     * {@code (headDim, headDim)} at {@code s}, row i holding the weights of key component i.
     */
    private void step(float[] state, int s, float[] q, float[] k, float[] v, int at, float b, float queryScale,
            float[] o) {
        float kScale = inverseNorm(k, at);
        float qScale = inverseNorm(q, at) * queryScale;
        float[] u = retrieved;
        // u = S^T k^ : a sum of the state's rows weighted by k^ (one axpy per row)
        Arrays.fill(u, 0f);
        for (int i = 0; i < headDim; i++) {
            axpy(k[at + i] * kScale, state, s + i * headDim, u, 0, headDim);
        }
        // u <- beta (v - S^T k^)
        for (int j = 0; j < headDim; j++) {
            u[j] = b * (v[at + j] - u[j]);
        }
        // S <- S + k^ u^T (row i gains k^_i u), then o = S^T q^ with the updated rows
        Arrays.fill(o, at, at + headDim, 0f);
        for (int i = 0; i < headDim; i++) {
            int row = s + i * headDim;
            axpy(k[at + i] * kScale, u, 0, state, row, headDim);
            axpy(q[at + i] * qScale, state, row, o, at, headDim);
        }
    }

    /**
     * {@code y[yOffset + j] += a * x[xOffset + j]} for {@code j < n}. Scalar: C2 (JDK 25) does not
     * vectorise it, as it cannot rule out that x and y overlap at other offsets; a Vector API
     * axpy in the kernels' elementwise family would be about 5x faster here.
     */
    private static void axpy(float a, float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int j = 0; j < n; j++) {
            y[yOffset + j] += a * x[xOffset + j];
        }
    }

    /** {@code 1 / sqrt(|a|^2 + 1e-6)} of the head vector at {@code at}, the FLA l2norm. */
    private float inverseNorm(float[] a, int at) {
        double sum = 0;
        for (int i = 0; i < headDim; i++) {
            sum += (double) a[at + i] * a[at + i];
        }
        return (float) (1 / Math.sqrt(sum + L2_EPS));
    }
}
