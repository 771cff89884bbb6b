package dev.vstream.model.vision;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Preallocated activations for up to {@code maxFrames} images of one {@link VisionTransformer},
 * so a forward pass allocates nothing. Not thread-safe: one workspace per thread. Memory is
 * about {@code maxFrames * seq * (6 hidden + intermediate) * 4} bytes, e.g. 90 MB for
 * ViT-L/14 at 224 px and 8 frames.
 */
public final class VisionWorkspace {

    final VisionConfig config;
    final int maxFrames;
    final float[] hidden;   // (frames * seq, hidden): the residual stream
    final float[] normed;   // (frames * seq, hidden): LayerNorm output
    final float[] residual; // (hidden): the pooling head's attention output
    final float[] q;        // (frames * seq, hidden)
    final float[] k;        // (frames * seq, hidden)
    final float[] v;        // (frames * seq, hidden)
    final float[] context;  // (frames * seq, hidden): heads' outputs, concatenated
    final float[] scores;      // (seq, seq): one head of one image at a time
    final float[] headQuery;   // (seq, headDim): that head's queries, scaled by 1/sqrt(headDim)
    final float[] headKeys;    // (seq, headDim): that head's keys
    final Tensor headKeysView; // headKeys as the GEMM's (n, k) operand
    final float[] headValuesTransposed;   // (headDim, seq): that head's values, transposed
    final Tensor headValuesTransposedView; // headValuesTransposed as the GEMM's (n, k) operand
    final float[] headOutput;  // (seq, headDim): softmax(scores) V for that head
    final float[] mlp;      // (frames * seq, intermediate)
    final float[] patches;  // (patches, channels * patch * patch): one image's flattened patches

    VisionWorkspace(VisionConfig config, int maxFrames) {
        if (maxFrames <= 0) {
            throw new IllegalArgumentException("maxFrames must be positive, got " + maxFrames);
        }
        this.config = config;
        this.maxFrames = maxFrames;
        int tokens = Math.multiplyExact(maxFrames, config.sequenceLength());
        int activations = Math.multiplyExact(tokens, config.hiddenSize());
        this.hidden = new float[activations];
        this.normed = new float[activations];
        this.residual = new float[config.hiddenSize()];
        this.q = new float[activations];
        this.k = new float[activations];
        this.v = new float[activations];
        this.context = new float[activations];
        this.scores = new float[config.sequenceLength() * config.sequenceLength()];
        int seq = config.sequenceLength();
        int headDim = config.headDim();
        this.headQuery = new float[seq * headDim];
        this.headKeys = new float[seq * headDim];
        this.headKeysView = new Tensor(Shape.of(seq, headDim), DType.F32, MemorySegment.ofArray(headKeys));
        this.headValuesTransposed = new float[headDim * seq];
        this.headValuesTransposedView = new Tensor(Shape.of(headDim, seq), DType.F32,
                MemorySegment.ofArray(headValuesTransposed));
        this.headOutput = new float[seq * headDim];
        this.mlp = new float[Math.multiplyExact(tokens, config.intermediateSize())];
        this.patches = new float[Math.multiplyExact(config.patches(), config.patchVectorSize())];
    }

    public int maxFrames() {
        return maxFrames;
    }
}
