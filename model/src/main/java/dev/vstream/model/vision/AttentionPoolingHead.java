package dev.vstream.model.vision;

import dev.vstream.kernels.linalg.Gemm;

/**
 * SigLIP's multi-head attention pooling ({@code SiglipMultiheadAttentionPoolingHead}): one
 * learned probe token attends over the image's tokens with {@code nn.MultiheadAttention}, then
 * a residual MLP: {@code a = MHA(probe, h, h)}, {@code pooled = a + fc2(act(fc1(LN(a))))}.
 * The probe's query projection does not depend on the image, so it is computed once at load.
 */
final class AttentionPoolingHead {

    private final float[] probeQuery; // (hidden): (probe Wq^T + bq) / sqrt(headDim)
    private final Linear key;
    private final Linear value;
    private final Linear output;
    private final LayerNorm norm;
    private final Linear fc1;
    private final Linear fc2;
    private final Activation activation;
    private final int heads;
    private final Gemm gemm;

    AttentionPoolingHead(float[] probeQuery, Linear key, Linear value, Linear output, LayerNorm norm, Linear fc1,
            Linear fc2, Activation activation, int heads, Gemm gemm) {
        this.probeQuery = probeQuery;
        this.key = key;
        this.value = value;
        this.output = output;
        this.norm = norm;
        this.fc1 = fc1;
        this.fc2 = fc2;
        this.activation = activation;
        this.heads = heads;
        this.gemm = gemm;
        float scale = (float) (1 / Math.sqrt(probeQuery.length / heads));
        for (int i = 0; i < probeQuery.length; i++) {
            probeQuery[i] *= scale;
        }
    }

    /** hidden {@code (frames * seq, d)} (after post_layernorm) to out {@code (frames, d)}. */
    void forward(float[] hidden, int frames, int seq, VisionWorkspace ws, float[] out) {
        int d = probeQuery.length;
        int headDim = d / heads;
        key.forward(hidden, 0, frames * seq, ws.k, 0);
        value.forward(hidden, 0, frames * seq, ws.v, 0);
        for (int f = 0; f < frames; f++) {
            for (int h = 0; h < heads; h++) {
                SelfAttention.attendHead(gemm, probeQuery, h * headDim, 1, ws.k, ws.v, f * seq * d + h * headDim, d,
                        seq, ws);
                System.arraycopy(ws.headOutput, 0, ws.context, h * headDim, headDim);
            }
            output.forward(ws.context, 0, 1, ws.residual, 0);
            // Scratch stays clear of the input, which may be the workspace's normed buffer.
            norm.forward(ws.residual, 0, 1, ws.q, 0);
            fc1.forward(ws.q, 0, 1, ws.mlp, 0);
            activation.apply(ws.mlp, 0, fc1.out());
            System.arraycopy(ws.residual, 0, out, f * d, d);
            fc2.forwardAdd(ws.mlp, 0, 1, out, f * d);
        }
    }
}
