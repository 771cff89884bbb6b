package dev.vstream.memory.cluster;

import java.util.Objects;

/**
 * Patch features of one frame from the vision encoder, channels last.
 *
 * @param values          (height, width, channels) row-major, e.g. 16x16x1024 for CLIP ViT-L/14 at 224 px
 * @param height          patch rows
 * @param width           patch columns
 * @param channels        feature width
 * @param timestampMicros presentation time of the frame
 */
public record FrameFeatures(float[] values, int height, int width, int channels, long timestampMicros) {

    public FrameFeatures {
        Objects.requireNonNull(values, "values");
        if (height < 1 || width < 1 || channels < 1) {
            throw new FeatureShapeException("feature shape must be positive, got " + height + "x" + width + "x"
                    + channels);
        }
        if ((long) height * width * channels != values.length) {
            throw new FeatureShapeException("feature shape " + height + "x" + width + "x" + channels + " needs "
                    + (long) height * width * channels + " values, got " + values.length);
        }
    }

    /** Throws unless this frame is {@code height x width x channels}. */
    public void requireShape(int expectedHeight, int expectedWidth, int expectedChannels) {
        if (height != expectedHeight || width != expectedWidth || channels != expectedChannels) {
            throw new FeatureShapeException("memory expects " + expectedHeight + "x" + expectedWidth + "x"
                    + expectedChannels + " features, got " + height + "x" + width + "x" + channels);
        }
    }
}
