package dev.vstream.memory.cluster;

/** Frame features or loaded weights whose shape does not match the memory's configuration. */
public final class FeatureShapeException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public FeatureShapeException(String message) {
        super(message);
    }
}
