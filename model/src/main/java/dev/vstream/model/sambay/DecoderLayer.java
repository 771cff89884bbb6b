package dev.vstream.model.sambay;

import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.loader.Checkpoint;
import java.util.List;

/**
 * One SambaY layer, pre-norm with two residual branches:
 * {@code x += mixer(LN_1(x))}, then {@code x += fc2(SiLU(gate) * up)} with
 * {@code [gate | up] = fc1(LN_2(x))} (SwiGLU, no biases). LayerNorms have weight and bias.
 */
final class DecoderLayer {

    private final SambaYConfig config;
    private final CpuKernels kernels;
    private final Tensor inputNormWeight;     // (d)
    private final Tensor inputNormBias;       // (d)
    private final TokenMixer mixer;
    private final Tensor postNormWeight;      // (d)
    private final Tensor postNormBias;        // (d)
    private final Linear gateProjection;      // rows [0, I) of fc1
    private final Linear upProjection;        // rows [I, 2I) of fc1
    private final Linear downProjection;      // fc2 (d, I)

    DecoderLayer(Checkpoint checkpoint, String prefix, TokenMixer mixer, SambaYConfig config, CpuKernels kernels) {
        this.config = config;
        this.kernels = kernels;
        this.mixer = mixer;
        int d = config.hiddenSize();
        int intermediate = config.intermediateSize();
        this.inputNormWeight = checkpoint.tensor(prefix + "input_layernorm.weight", d);
        this.inputNormBias = checkpoint.tensor(prefix + "input_layernorm.bias", d);
        this.postNormWeight = checkpoint.tensor(prefix + "post_attention_layernorm.weight", d);
        this.postNormBias = checkpoint.tensor(prefix + "post_attention_layernorm.bias", d);
        Tensor fc1 = checkpoint.tensor(prefix + "mlp.fc1.weight", 2L * intermediate, d);
        this.gateProjection = new Linear(Linear.rows(fc1, 0, intermediate), null, kernels);
        this.upProjection = new Linear(Linear.rows(fc1, intermediate, 2L * intermediate), null, kernels);
        this.downProjection = Linear.load(checkpoint, prefix + "mlp.fc2", d, intermediate, false, kernels);
    }

    TokenMixer mixer() {
        return mixer;
    }

    /** Runs the layer on {@code ws.residual (rows, d)} in place; the rows have positions {@code position ..}. */
    void forward(int rows, int position, ContextState state, SambaYWorkspace ws) {
        normInput(rows, ws);
        mixer.forward(rows, position, state, ws);
        finish(rows, ws);
    }

    /** A batched decode step: row {@code r} of {@code ws.residual} is the next token of {@code contexts.get(r)}. */
    void forwardBatch(List<ContextState> contexts, SambaYWorkspace ws) {
        int rows = contexts.size();
        normInput(rows, ws);
        mixer.forwardBatch(contexts, ws);
        finish(rows, ws);
    }

    /**
     * The shared full-attention layer on rows whose keys and values are already cached
     * ({@link DifferentialAttention#appendSharedKv}): its queries attend, then the MLP branch as usual.
     */
    void forwardCached(int rows, int position, ContextState state, SambaYWorkspace ws) {
        normInput(rows, ws);
        ((DifferentialAttention) mixer).forwardCached(rows, position, state, ws);
        finish(rows, ws);
    }

    /** {@code ws.normed := LN_1(ws.residual)} over {@code rows}: the mixer's input. */
    void normInput(int rows, SambaYWorkspace ws) {
        kernels.norms().layerNorm(ws.residual, 0, ws.normed, 0, rows, config.hiddenSize(), inputNormWeight,
                inputNormBias, (float) config.layerNormEps());
    }

    /** After the mixer wrote {@code ws.mixed}: the residual add and the MLP branch, on {@code ws.residual}. */
    void finish(int rows, SambaYWorkspace ws) {
        int d = config.hiddenSize();
        float eps = (float) config.layerNormEps();
        kernels.elementwise().add(ws.residual, 0, ws.mixed, 0, rows * d);
        kernels.norms().layerNorm(ws.residual, 0, ws.normed, 0, rows, d, postNormWeight, postNormBias, eps);
        int size = rows * config.intermediateSize();
        gateProjection.forward(ws.normed, 0, rows, ws.gate, 0);
        upProjection.forward(ws.normed, 0, rows, ws.up, 0);
        kernels.activations().silu(ws.gate, 0, size);
        kernels.elementwise().mul(ws.gate, 0, ws.up, 0, size);
        downProjection.forwardAdd(ws.gate, 0, rows, ws.residual, 0);
    }
}
