package dev.vstream.model.lm;

/**
 * The inputs of a short causal depthwise convolution that the next step still needs: the
 * last {@code width} raw inputs, oldest first, {@code (width, channels)}; positions before
 * the start are zeros. {@code width} is the kernel size (4 in both hybrid models, as their
 * reference caches keep it); one step shifts by one and writes the new input last, so the
 * convolution of the current token is the dot product of each channel's column with its
 * kernel.
 */
public final class ConvState implements LayerCache {

    private final int width;
    private final int channels;
    private final float[] inputs; // (width, channels), oldest first

    public ConvState(int width, int channels) {
        if (width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("width and channels must be positive: " + width + ", " + channels);
        }
        this.width = width;
        this.channels = channels;
        this.inputs = new float[Math.multiplyExact(width, channels)];
    }

    private ConvState(ConvState other) {
        this.width = other.width;
        this.channels = other.channels;
        this.inputs = other.inputs.clone();
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    /** {@code (width, channels)}, oldest input first; mutated in place by the layer. */
    public float[] inputs() {
        return inputs;
    }

    /**
     * Shifts in {@code count} new inputs, rows of {@code channels} at {@code offset} with
     * {@code rowStride}: afterwards the state holds the last {@code width} inputs of the
     * old history followed by the new rows.
     */
    public void push(float[] source, int offset, int rowStride, int count) {
        int kept = Math.max(0, width - count);
        System.arraycopy(inputs, (width - kept) * channels, inputs, 0, kept * channels);
        int first = Math.max(0, count - width);
        for (int r = first; r < count; r++) {
            System.arraycopy(source, offset + r * rowStride, inputs, (kept + r - first) * channels, channels);
        }
    }

    @Override
    public ConvState copy() {
        return new ConvState(this);
    }

    @Override
    public long sizeInBytes() {
        return (long) inputs.length * Float.BYTES;
    }

    @Override
    public String toString() {
        return "ConvState[" + width + " x " + channels + "]";
    }
}
