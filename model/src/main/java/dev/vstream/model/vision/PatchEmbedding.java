package dev.vstream.model.vision;

/**
 * Image to tokens. The {@code Conv2d(channels, hidden, kernel = stride = patch)} of the
 * Hugging Face layout is a Linear over non-overlapping flattened patches: patch {@code (py, px)}
 * becomes the vector {@code x[c][ky][kx] = pixel[c][py*p + ky][px*p + kx]}, the same order as
 * the conv weight {@code (hidden, channels, p, p)} flattened per output channel. Tokens are
 * patches in row-major grid order, after the class token when there is one, and the learned
 * position embedding {@code (seq, hidden)} is added to every token (class token included).
 */
final class PatchEmbedding {

    private final VisionConfig config;
    private final Linear projection;      // (hidden) <- (channels * p * p)
    private final float[] classEmbedding; // (hidden), or null without a class token
    private final float[] positions;      // (seq, hidden)

    PatchEmbedding(VisionConfig config, Linear projection, float[] classEmbedding, float[] positions) {
        this.config = config;
        this.projection = projection;
        this.classEmbedding = classEmbedding;
        this.positions = positions;
    }

    /**
     * pixels {@code (frames, channels, imageSize, imageSize)} to hidden
     * {@code (frames * seq, hiddenSize)}.
     */
    void forward(float[] pixels, int frames, VisionWorkspace ws, float[] hidden) {
        int d = config.hiddenSize();
        int seq = config.sequenceLength();
        int first = classEmbedding == null ? 0 : 1;
        int imageFloats = config.channels() * config.imageSize() * config.imageSize();
        for (int f = 0; f < frames; f++) {
            flattenPatches(pixels, f * imageFloats, ws.patches);
            int frameStart = f * seq * d;
            projection.forward(ws.patches, 0, config.patches(), hidden, frameStart + first * d);
            if (classEmbedding != null) {
                System.arraycopy(classEmbedding, 0, hidden, frameStart, d);
            }
            for (int i = 0; i < seq * d; i++) {
                hidden[frameStart + i] += positions[i];
            }
        }
    }

    private void flattenPatches(float[] pixels, int offset, float[] patches) {
        int p = config.patchSize();
        int side = config.imageSize();
        int grid = config.gridSize();
        int vector = config.patchVectorSize();
        for (int py = 0; py < grid; py++) {
            for (int px = 0; px < grid; px++) {
                int out = (py * grid + px) * vector;
                for (int c = 0; c < config.channels(); c++) {
                    for (int ky = 0; ky < p; ky++) {
                        int in = offset + (c * side + py * p + ky) * side + px * p;
                        System.arraycopy(pixels, in, patches, out, p);
                        out += p;
                    }
                }
            }
        }
    }
}
