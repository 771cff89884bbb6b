package dev.vstream.model.vision;

/**
 * One pre-norm transformer encoder layer, the same in CLIP and SigLIP:
 * {@code h = h + Attention(LN1(h))}, then {@code h = h + fc2(act(fc1(LN2(h))))}; both residual
 * adds are fused into the output projections ({@link Linear#forwardAdd}).
 */
final class EncoderLayer {

    private final LayerNorm attentionNorm;
    private final SelfAttention attention;
    private final LayerNorm mlpNorm;
    private final Linear fc1;
    private final Linear fc2;
    private final Activation activation;

    EncoderLayer(LayerNorm attentionNorm, SelfAttention attention, LayerNorm mlpNorm, Linear fc1, Linear fc2,
            Activation activation) {
        this.attentionNorm = attentionNorm;
        this.attention = attention;
        this.mlpNorm = mlpNorm;
        this.fc1 = fc1;
        this.fc2 = fc2;
        this.activation = activation;
    }

    /** Updates {@code hidden} {@code (frames * seq, hiddenSize)} in place. */
    void forward(float[] hidden, int frames, int seq, VisionWorkspace ws) {
        int tokens = frames * seq;
        attentionNorm.forward(hidden, 0, tokens, ws.normed, 0);
        attention.forwardAdd(ws.normed, frames, seq, ws, hidden);
        mlpNorm.forward(hidden, 0, tokens, ws.normed, 0);
        fc1.forward(ws.normed, 0, tokens, ws.mlp, 0);
        activation.apply(ws.mlp, 0, tokens * fc1.out());
        fc2.forwardAdd(ws.mlp, 0, tokens, hidden, 0);
    }
}
