package dev.vstream.model.nemotron;

import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LayerCache;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.loader.Checkpoint;
import java.util.List;

/**
 * An {@code f} operator: {@code x <- x + W_down (SiLU(W_gate h) * W_up h)} with
 * {@code h = RMSNorm(x)} ({@code pre_ffn_layernorm}). Stateless.
 */
final class FeedForward implements Operator {

    private final Tensor norm; // (hidden)
    private final float eps;
    private final Linear gate; // (ffn, hidden)
    private final Linear up;   // (ffn, hidden)
    private final Linear down; // (hidden, ffn)
    private final int hidden;
    private final int width;
    private final CpuKernels kernels;

    FeedForward(Checkpoint checkpoint, String prefix, NemotronFlashConfig config, CpuKernels kernels) {
        this.hidden = config.hiddenSize();
        this.width = config.ffnSize();
        this.norm = checkpoint.tensor(prefix + "pre_ffn_layernorm.weight", hidden);
        this.eps = (float) config.rmsNormEps();
        this.gate = Linear.load(checkpoint, prefix + "ffn.gate_proj", width, hidden, false, kernels);
        this.up = Linear.load(checkpoint, prefix + "ffn.up_proj", width, hidden, false, kernels);
        this.down = Linear.load(checkpoint, prefix + "ffn.down_proj", hidden, width, false, kernels);
        this.kernels = kernels;
    }

    @Override
    public int cacheSlots() {
        return 0;
    }

    @Override
    public List<LayerCache> newCaches() {
        return List.of();
    }

    @Override
    public void forwardBatch(float[] x, List<ContextState> contexts, int firstSlot, Scratch scratch) {
        forward(x, contexts.size(), 0, null, firstSlot, scratch); // row-wise: no state
    }

    @Override
    public void forward(float[] x, int rows, int firstPosition, ContextState state, int firstSlot, Scratch scratch) {
        float[] normed = scratch.get(Scratch.NORMED, (long) rows * hidden);
        float[] gated = scratch.get(Scratch.A, (long) rows * width); // (rows, ffn)
        float[] lifted = scratch.get(Scratch.B, (long) rows * width); // (rows, ffn)
        kernels.norms().rmsNorm(x, 0, normed, 0, rows, hidden, norm, eps);
        gate.forward(normed, 0, rows, gated, 0);
        up.forward(normed, 0, rows, lifted, 0);
        kernels.activations().silu(gated, 0, rows * width);
        kernels.elementwise().mul(gated, 0, lifted, 0, rows * width);
        down.forwardAdd(gated, 0, rows, x, 0);
    }
}
