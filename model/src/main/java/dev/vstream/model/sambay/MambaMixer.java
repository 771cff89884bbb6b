package dev.vstream.model.sambay;

import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.ConvState;
import dev.vstream.model.lm.LayerCache;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.lm.SsmState;
import dev.vstream.model.loader.Checkpoint;
import java.util.List;

/**
 * Mamba-1 (Gu and Dao 2023) as in the SambaY self-decoder, for an input h:
 *
 * <pre>
 *   [u | z] = W_in h                                   u, z in R^dInner
 *   u'_t    = SiLU(sum_k w[c, k] u_(t - K + 1 + k)[c] + b[c])     causal depthwise conv, K = d_conv
 *   [d | B | C] = W_x u'_t                             d in R^dtRank, B, C in R^dState
 *   dt_t    = softplus(W_dt d + b_dt),   A = -exp(A_log)
 *   s_t[c, n] = exp(dt_t[c] A[c, n]) s_(t-1)[c, n] + dt_t[c] B_t[n] u'_t[c]
 *   y_t[c]  = sum_n C_t[n] s_t[c, n] + D[c] u'_t[c]
 *   out_t   = W_out (y_t * SiLU(z_t))
 * </pre>
 *
 * The memory layer ({@code L/2}) also writes the un-gated {@code y} (after the D skip, before
 * the z gate) to {@code ws.memory} for the gated memory units. Caches: a {@link ConvState} of
 * the last d_conv raw inputs u and the {@link SsmState} s.
 */
final class MambaMixer implements TokenMixer {

    private final SambaYConfig config;
    private final CpuKernels kernels;
    private final int convSlot;         // ConvState, then SsmState at convSlot + 1
    private final boolean exportsMemory;
    private final Linear inputProjection; // rows [0, dInner) of in_proj: u
    private final Linear gateProjection;  // rows [dInner, 2 dInner) of in_proj: z
    private final float[] convWeight;     // (dInner, K)
    private final float[] convBias;       // (dInner), zeros without a bias
    private final Linear xProjection;     // (dtRank + 2 dState, dInner)
    private final Linear dtProjection;    // (dInner, dtRank) with bias
    private final float[] a;              // (dInner, dState): -exp(A_log)
    private final float[] skip;           // (dInner): D
    private final Linear outProjection;   // (d, dInner)

    MambaMixer(Checkpoint checkpoint, String prefix, SambaYConfig config, CpuKernels kernels, int convSlot,
            boolean exportsMemory) {
        this.config = config;
        this.kernels = kernels;
        this.convSlot = convSlot;
        this.exportsMemory = exportsMemory;
        int d = config.hiddenSize();
        int inner = config.innerSize();
        int k = config.convWidth();
        int ds = config.stateSize();
        Tensor in = checkpoint.tensor(prefix + "in_proj.weight", 2L * inner, d);
        Tensor inBias = config.projectionBias() ? checkpoint.tensor(prefix + "in_proj.bias", 2L * inner) : null;
        this.inputProjection = new Linear(Linear.rows(in, 0, inner), inBias == null ? null : Linear.rows(inBias, 0, inner), kernels);
        this.gateProjection = new Linear(Linear.rows(in, inner, 2L * inner),
                inBias == null ? null : Linear.rows(inBias, inner, 2L * inner), kernels);
        this.convWeight = checkpoint.tensor(prefix + "conv1d.weight", inner, 1, k).toFloatArray();
        this.convBias = config.convBias() ? checkpoint.tensor(prefix + "conv1d.bias", inner).toFloatArray() : new float[inner];
        this.xProjection = Linear.load(checkpoint, prefix + "x_proj", config.dtRank() + 2 * ds, inner, false, kernels);
        this.dtProjection = Linear.load(checkpoint, prefix + "dt_proj", inner, config.dtRank(), true, kernels);
        float[] aLog = checkpoint.tensor(prefix + "A_log", inner, ds).toFloatArray();
        this.a = new float[aLog.length];
        for (int i = 0; i < aLog.length; i++) {
            a[i] = (float) -Math.exp(aLog[i]);
        }
        this.skip = checkpoint.tensor(prefix + "D", inner).toFloatArray();
        this.outProjection = Linear.load(checkpoint, prefix + "out_proj", d, inner, config.projectionBias(), kernels);
    }

    @Override
    public void addCaches(List<LayerCache> slots) {
        slots.add(new ConvState(config.convWidth(), config.innerSize()));
        slots.add(new SsmState(config.innerSize(), config.stateSize()));
    }

    @Override
    public void forward(int rows, int position, ContextState state, SambaYWorkspace ws) {
        mix(rows, null, state, ws);
    }

    @Override
    public void forwardBatch(List<ContextState> contexts, SambaYWorkspace ws) {
        mix(contexts.size(), contexts, null, ws);
    }

    /**
     * The mixer over {@code rows} rows of {@code ws.normed}: consecutive tokens of {@code state}, or (when
     * {@code perRow} is given) one token of each context of a batch. The projections run once over all rows; the
     * convolution and the scan, which carry state, per sequence.
     */
    private void mix(int rows, List<ContextState> perRow, ContextState state, SambaYWorkspace ws) {
        int inner = config.innerSize();
        inputProjection.forward(ws.normed, 0, rows, ws.up, 0);
        gateProjection.forward(ws.normed, 0, rows, ws.gate, 0);
        if (perRow == null) {
            ConvState conv = state.cache(convSlot, ConvState.class);
            convolve(0, rows, conv, ws.up, ws.inner);
            conv.push(ws.up, 0, inner, rows);
        } else {
            for (int r = 0; r < rows; r++) {
                ConvState conv = perRow.get(r).cache(convSlot, ConvState.class);
                convolve(r, 1, conv, ws.up, ws.inner);
                conv.push(ws.up, r * inner, inner, 1);
            }
        }
        kernels.activations().silu(ws.inner, 0, rows * inner);

        int rank = config.dtRank();
        int ds = config.stateSize();
        int width = rank + 2 * ds;
        xProjection.forward(ws.inner, 0, rows, ws.xProjected, 0);
        for (int t = 0; t < rows; t++) {
            System.arraycopy(ws.xProjected, t * width, ws.delta, t * rank, rank);
        }
        dtProjection.forward(ws.delta, 0, rows, ws.step, 0);
        for (int i = 0; i < rows * inner; i++) {
            ws.step[i] = softplus(ws.step[i]);
        }
        if (perRow == null) {
            scan(0, rows, state.cache(convSlot + 1, SsmState.class).state(), ws);
        } else {
            for (int r = 0; r < rows; r++) {
                scan(r, 1, perRow.get(r).cache(convSlot + 1, SsmState.class).state(), ws);
            }
        }
        if (exportsMemory) {
            System.arraycopy(ws.scan, 0, ws.memory, 0, rows * inner);
        }
        kernels.activations().silu(ws.gate, 0, rows * inner);
        kernels.elementwise().mul(ws.scan, 0, ws.gate, 0, rows * inner);
        outProjection.forward(ws.scan, 0, rows, ws.mixed, 0);
    }

    /**
     * The causal depthwise convolution plus bias over the new inputs {@code u} rows {@code first .. first + rows -
     * 1} (consecutive tokens of one sequence), taking the inputs before them from the conv state (its last row is
     * the previous token).
     */
    private void convolve(int first, int rows, ConvState conv, float[] u, float[] out) {
        int inner = config.innerSize();
        int k = config.convWidth();
        float[] history = conv.inputs(); // (K, dInner), oldest first
        for (int t = 0; t < rows; t++) {
            for (int c = 0; c < inner; c++) {
                float sum = convBias[c];
                for (int tap = 0; tap < k; tap++) {
                    int source = t - (k - 1) + tap; // relative to the first new token
                    float x = source >= 0 ? u[(first + source) * inner + c] : history[(k + source) * inner + c];
                    sum += convWeight[c * k + tap] * x;
                }
                out[(first + t) * inner + c] = sum;
            }
        }
    }

    /** The selective scan over rows {@code first .. first + rows - 1} (one sequence), continuing from and updating {@code s}. */
    private void scan(int first, int rows, float[] s, SambaYWorkspace ws) {
        int inner = config.innerSize();
        int rank = config.dtRank();
        int ds = config.stateSize();
        int width = rank + 2 * ds;
        for (int t = first; t < first + rows; t++) {
            int bOffset = t * width + rank;
            int cOffset = bOffset + ds;
            for (int c = 0; c < inner; c++) {
                float dt = ws.step[t * inner + c];
                float u = ws.inner[t * inner + c];
                float dtU = dt * u;
                float y = 0;
                int row = c * ds;
                for (int n = 0; n < ds; n++) {
                    float next = (float) Math.exp(dt * a[row + n]) * s[row + n] + dtU * ws.xProjected[bOffset + n];
                    s[row + n] = next;
                    y += ws.xProjected[cOffset + n] * next;
                }
                ws.scan[t * inner + c] = y + skip[c] * u;
            }
        }
    }

    /** {@code log(1 + e^x)}, linear above 20 as PyTorch's softplus (threshold 20). */
    private static float softplus(float x) {
        return x > 20 ? x : (float) Math.log1p(Math.exp(x));
    }
}
