package dev.vstream.memory.cluster;

/** Serialized memory state that cannot be read: wrong magic, unknown version, another configuration, truncation. */
public final class MemoryStateException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MemoryStateException(String message) {
        super(message);
    }

    public MemoryStateException(String message, Throwable cause) {
        super(message, cause);
    }
}
