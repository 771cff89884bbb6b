package dev.vstream.model.sambay;

import dev.vstream.model.lm.CausalAttention;
import dev.vstream.kernels.cpu.CpuKernels;

/**
 * Activations of one forward pass over up to {@link #capacity} new tokens, reused across calls
 * and regrown (never shrunk) when a longer prompt comes; a decode step uses the first row.
 * Owned by one {@link SambaYModel}; not thread-safe.
 */
final class SambaYWorkspace {

    final SambaYConfig config;
    final CausalAttention attention;
    int capacity;
    float[] residual;  // (n, d): the residual stream x
    float[] normed;    // (n, d): LayerNorm output, the mixer's and the MLP's input
    float[] mixed;     // (n, d): the mixer's output
    float[] memory;    // (n, dInner): the memory layer's scan output y, read by the GMUs
    float[] gate;      // (n, max(intermediate, dInner)): SwiGLU gate, Mamba z, GMU input
    float[] up;        // (n, max(intermediate, dInner)): SwiGLU up, Mamba u (conv input)
    float[] inner;     // (n, dInner): Mamba conv output u'
    float[] scan;      // (n, dInner): Mamba y
    float[] xProjected; // (n, dtRank + 2 dState): [delta | B | C]
    float[] delta;     // (n, dtRank)
    float[] step;      // (n, dInner): softplus(W_dt delta + b), the step size
    float[] qkv;       // (n, qDim + 2 kvDim): fused attention projection
    float[] heads1;    // (n, qDim): per head pair, softmax(q1 k1^T) [v1 | v2], then the combined output
    float[] heads2;    // (n, qDim): per head pair, softmax(q2 k2^T) [v1 | v2]
    final float[] rowOutput;     // (heads, 2 headDim): one row's softmax-weighted value pairs, per query head
    final float[] valueRow;      // (2 headDim): one cached value pair, for a transposing gather

    SambaYWorkspace(SambaYConfig config, CpuKernels kernels) {
        this.config = config;
        this.attention = new CausalAttention(kernels);
        this.rowOutput = new float[Math.multiplyExact(config.heads(), 2 * config.headDim())];
        this.valueRow = new float[2 * config.headDim()];
        ensure(1);
    }

    /** Makes room for {@code rows} new tokens. */
    void ensure(int rows) {
        if (rows <= capacity) {
            return;
        }
        int n = Math.max(rows, capacity * 2);
        int d = config.hiddenSize();
        int inner = config.innerSize();
        int wide = Math.max(config.intermediateSize(), inner);
        residual = new float[Math.multiplyExact(n, d)];
        normed = new float[n * d];
        mixed = new float[n * d];
        memory = new float[Math.multiplyExact(n, inner)];
        gate = new float[Math.multiplyExact(n, wide)];
        up = new float[n * wide];
        this.inner = new float[n * inner];
        scan = new float[n * inner];
        xProjected = new float[n * (config.dtRank() + 2 * config.stateSize())];
        delta = new float[n * config.dtRank()];
        step = new float[n * inner];
        qkv = new float[Math.multiplyExact(n, config.queryDim() + 2 * config.kvDim())];
        heads1 = new float[n * config.queryDim()];
        heads2 = new float[n * config.queryDim()];
        capacity = n;
    }
}
