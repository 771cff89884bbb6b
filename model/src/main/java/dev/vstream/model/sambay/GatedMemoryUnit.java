package dev.vstream.model.sambay;

import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LayerCache;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.loader.Checkpoint;
import java.util.List;

/**
 * The gated memory unit of SambaY (paper eq. for the GMU, no normalisation):
 * {@code out_t = W_2 (SiLU(W_1 h_t) * m_t)}, with {@code m_t} the memory layer's scan output at
 * the same position (in {@code ws.memory}, written earlier in the same forward pass). It keeps
 * no cache: the memory of the new tokens is all it reads.
 */
final class GatedMemoryUnit implements TokenMixer {

    private final SambaYConfig config;
    private final CpuKernels kernels;
    private final Linear inProjection;  // W_1 (dInner, d)
    private final Linear outProjection; // W_2 (d, dInner)

    GatedMemoryUnit(Checkpoint checkpoint, String prefix, SambaYConfig config, CpuKernels kernels) {
        this.config = config;
        this.kernels = kernels;
        this.inProjection = Linear.load(checkpoint, prefix + "in_proj", config.innerSize(), config.hiddenSize(), false, kernels);
        this.outProjection = Linear.load(checkpoint, prefix + "out_proj", config.hiddenSize(), config.innerSize(), false, kernels);
    }

    @Override
    public void addCaches(List<LayerCache> slots) {
        // stateless
    }

    @Override
    public void forwardBatch(List<ContextState> contexts, SambaYWorkspace ws) {
        forward(contexts.size(), 0, null, ws); // row-wise: the batch's rows are independent here
    }

    @Override
    public void forward(int rows, int position, ContextState state, SambaYWorkspace ws) {
        int size = rows * config.innerSize();
        inProjection.forward(ws.normed, 0, rows, ws.gate, 0);
        kernels.activations().silu(ws.gate, 0, size);
        kernels.elementwise().mul(ws.gate, 0, ws.memory, 0, size);
        outProjection.forward(ws.gate, 0, rows, ws.mixed, 0);
    }
}
