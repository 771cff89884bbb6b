package dev.vstream.model.nemotron;

import dev.vstream.model.lm.ConvState;
import java.util.Arrays;

/**
 * The short causal depthwise convolution of Mamba-2 and DeltaNet over a block of rows, with
 * the inputs before the block taken from the layer's {@link ConvState}:
 *
 * <pre>
 *   out[t, c] = bias[c] + sum_{j < K} w[c, j] * in[t - K + 1 + j, c]
 * </pre>
 *
 * ({@code nn.Conv1d(groups = channels, padding = K - 1)} truncated to the causal outputs;
 * positions before the sequence start are zeros, which a fresh state holds). The activation is
 * the caller's. Afterwards the state holds the last K raw inputs, as the reference caches do.
 */
final class ShortConvolution {

    private final int width;
    private final int channels;
    private final float[] taps; // (width, channels): the checkpoint's (channels, 1, width) transposed
    private final float[] bias; // (channels), or null

    /** @param weight the checkpoint's {@code (channels, 1, width)} kernel, flattened */
    ShortConvolution(float[] weight, float[] bias, int channels, int width) {
        if (weight.length != channels * width || (bias != null && bias.length != channels)) {
            throw new IllegalArgumentException("conv weight of " + weight.length + " values is not (" + channels + ", 1, "
                    + width + ")");
        }
        this.width = width;
        this.channels = channels;
        this.bias = bias;
        this.taps = new float[width * channels];
        for (int c = 0; c < channels; c++) {
            for (int j = 0; j < width; j++) {
                taps[j * channels + c] = weight[c * width + j];
            }
        }
    }

    ConvState newState() {
        return new ConvState(width, channels);
    }

    /**
     * Convolves {@code rows} input rows (at {@code inOffset}, stride {@code inStride}) into
     * contiguous output rows {@code (rows, channels)} at {@code outOffset}, then shifts the raw
     * inputs into {@code state}.
     */
    void forward(float[] in, int inOffset, int inStride, int rows, ConvState state, float[] out, int outOffset) {
        if (state.width() != width || state.channels() != channels) {
            throw new IllegalStateException(state + " does not fit a conv of " + width + " x " + channels);
        }
        float[] history = state.inputs(); // (width, channels), oldest first; row width - 1 is the last input
        for (int t = 0; t < rows; t++) {
            int o = outOffset + t * channels;
            if (bias == null) {
                Arrays.fill(out, o, o + channels, 0f);
            } else {
                System.arraycopy(bias, 0, out, o, channels);
            }
            for (int j = 0; j < width; j++) {
                int source = t - width + 1 + j; // relative to the block; negative reads the history
                float[] src = source >= 0 ? in : history;
                int s = source >= 0 ? inOffset + source * inStride : (width + source) * channels;
                int w = j * channels;
                for (int c = 0; c < channels; c++) {
                    out[o + c] += taps[w + c] * src[s + c];
                }
            }
        }
        state.push(in, inOffset, inStride, rows);
    }
}
