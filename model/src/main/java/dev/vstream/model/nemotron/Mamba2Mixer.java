package dev.vstream.model.nemotron;

import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.OutputMode;
import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.ConvState;
import dev.vstream.model.lm.LayerCache;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.lm.SsmState;
import dev.vstream.model.loader.Checkpoint;
import java.util.List;

/**
 * An {@code m2} operator, Mamba-2 with one B/C group as the reference builds it
 * ({@code ngroups=1, rmsnorm=True, norm_before_gate=False, D per head, dt_limit=(0, inf)}).
 * With {@code h = RMSNorm(x)}:
 *
 * <pre>
 *   [z | xBC | dt] = h W_in^T                         sizes d_inner | d_inner + 2N | heads
 *   [x | B | C]    = SiLU(conv_K(xBC) + b_conv)
 *   per head j (P = headdim channels), state S_j (P, N), from the cached state:
 *     delta = softplus(dt_j + dt_bias_j),  A_j = -exp(A_log_j)
 *     S_j  <- exp(delta A_j) S_j + delta x_j B^T
 *     y_j   = S_j C + D_j x_j
 *   x <- x + W_out (RMSNorm_{d_inner}(y * SiLU(z)) * w_norm)      (eps 1e-5)
 * </pre>
 *
 * Prefill runs the same recurrence row by row as decode (the projections are batched), so
 * both give the same state. Caches: the conv's last K raw xBC inputs, the SSM state
 * {@code (heads * headdim, N)}.
 */
final class Mamba2Mixer implements Operator {

    private final Tensor norm; // (hidden)
    private final float eps;
    private final Linear inProjection;  // (2 d_inner + 2N + heads, hidden)
    private final ShortConvolution conv; // d_inner + 2N channels, with bias
    private final float[] dtBias;       // (heads)
    private final float[] decayRate;    // (heads): A = -exp(A_log)
    private final float[] skip;         // (heads): D
    private final Tensor gateNorm;      // (d_inner)
    private final Linear outProjection; // (hidden, d_inner)
    private final int hidden;
    private final int inner;
    private final int stateSize;
    private final int heads;
    private final int headDim;
    private final CpuKernels kernels;

    Mamba2Mixer(Checkpoint checkpoint, String prefix, NemotronFlashConfig config, CpuKernels kernels) {
        this.hidden = config.hiddenSize();
        this.inner = config.mambaInnerSize();
        this.stateSize = config.mambaStateSize();
        this.heads = config.mambaHeads();
        this.headDim = config.mambaHeadDim();
        this.kernels = kernels;
        this.norm = checkpoint.tensor(prefix + "input_layernorm.weight", hidden);
        this.eps = (float) config.rmsNormEps();
        String m = prefix + "mamba.";
        int channels = config.mambaConvChannels();
        int width = config.mambaConvWidth();
        this.inProjection = Linear.load(checkpoint, m + "in_proj", config.mambaInProjection(), hidden, false, kernels);
        this.conv = new ShortConvolution(checkpoint.tensor(m + "conv1d.weight", channels, 1, width).toFloatArray(),
                checkpoint.tensor(m + "conv1d.bias", channels).toFloatArray(), channels, width);
        this.dtBias = checkpoint.tensor(m + "dt_bias", heads).toFloatArray();
        float[] aLog = checkpoint.tensor(m + "A_log", heads).toFloatArray();
        this.decayRate = new float[heads];
        for (int j = 0; j < heads; j++) {
            decayRate[j] = (float) -Math.exp(aLog[j]);
        }
        this.skip = checkpoint.tensor(m + "D", heads).toFloatArray();
        this.gateNorm = checkpoint.tensor(m + "norm.weight", inner);
        this.outProjection = Linear.load(checkpoint, m + "out_proj", hidden, inner, false, kernels);
    }

    @Override
    public int cacheSlots() {
        return 2;
    }

    @Override
    public List<LayerCache> newCaches() {
        return List.of(conv.newState(), new SsmState(heads * headDim, stateSize));
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
        int projected = inProjection.out();
        int channels = inner + 2 * stateSize;
        float[] normed = scratch.get(Scratch.NORMED, (long) rows * hidden);
        float[] zxbcdt = scratch.get(Scratch.A, (long) rows * projected); // (rows, 2 d_inner + 2N + heads)
        float[] xbc = scratch.get(Scratch.B, (long) rows * channels);     // (rows, d_inner + 2N)
        float[] y = scratch.get(Scratch.C, (long) rows * inner);          // (rows, d_inner)
        kernels.norms().rmsNorm(x, 0, normed, 0, rows, hidden, norm, eps);
        inProjection.forward(normed, 0, rows, zxbcdt, 0);
        if (perRow == null) {
            conv.forward(zxbcdt, inner, projected, rows, state.cache(firstSlot, ConvState.class), xbc, 0);
        } else {
            for (int r = 0; r < rows; r++) {
                conv.forward(zxbcdt, r * projected + inner, projected, 1,
                        perRow.get(r).cache(firstSlot, ConvState.class), xbc, r * channels);
            }
        }
        kernels.activations().silu(xbc, 0, rows * channels);
        float[] ssm = null;
        Tensor states = null;
        for (int t = 0; t < rows; t++) {
            if (t == 0 || perRow != null) {
                ssm = (perRow == null ? state : perRow.get(t)).cache(firstSlot + 1, SsmState.class).state(); // (heads * headDim, N)
                states = new Tensor(Shape.of(heads * headDim, stateSize), DType.F32, MemorySegment.ofArray(ssm));
            }
            scan(xbc, t * channels, zxbcdt, t * projected + inner + channels, ssm, states, y, t * inner);
            // y <- y * SiLU(z), z being the first d_inner entries of the projection
            kernels.activations().silu(zxbcdt, t * projected, inner);
            kernels.elementwise().mul(y, t * inner, zxbcdt, t * projected, inner);
        }
        kernels.norms().rmsNorm(y, 0, y, 0, rows, inner, gateNorm, NemotronFlashConfig.MAMBA_NORM_EPS);
        outProjection.forwardAdd(y, 0, rows, x, 0);
    }

    /**
     * One position: x, B, C at {@code xbcOffset}, raw dt at {@code dtOffset}; y {@code (d_inner)}
     * at {@code yOffset}. The state update is elementwise; the read-out {@code S C} of all heads
     * at once is one matrix-vector product (C is shared by every head: one group), on the GEMV
     * over {@code states}, the view of {@code ssm}.
     */
    private void scan(float[] xbc, int xbcOffset, float[] dtRaw, int dtOffset, float[] ssm, Tensor states, float[] y,
            int yOffset) {
        int b = xbcOffset + inner;
        for (int j = 0; j < heads; j++) {
            float delta = softplus(dtRaw[dtOffset + j] + dtBias[j]);
            float decay = (float) Math.exp((double) delta * decayRate[j]);
            for (int p = 0; p < headDim; p++) {
                int channel = j * headDim + p;
                float scaled = delta * xbc[xbcOffset + channel];
                int row = channel * stateSize;
                for (int n = 0; n < stateSize; n++) {
                    ssm[row + n] = decay * ssm[row + n] + scaled * xbc[b + n];
                }
            }
        }
        kernels.gemv().multiply(xbc, b + stateSize, states, null, y, yOffset, OutputMode.OVERWRITE);
        for (int j = 0; j < heads; j++) {
            for (int p = 0; p < headDim; p++) {
                int channel = j * headDim + p;
                y[yOffset + channel] += skip[j] * xbc[xbcOffset + channel];
            }
        }
    }

    /** {@code log(1 + e^v)}, and {@code v} itself above 20 as torch's softplus does. */
    static float softplus(float v) {
        return v > 20f ? v : (float) Math.log1p(Math.exp(v));
    }
}
