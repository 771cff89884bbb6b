package dev.vstream.model.lm;

/**
 * Bytes that are not a valid {@link ContextStateCodec} encoding: wrong magic, unsupported
 * version, truncated, corrupted (CRC mismatch), impossible dimensions, unknown cache kind or
 * trailing bytes. The message says what is wrong and at which byte offset; {@link #offset()}
 * gives the offset alone.
 */
public final class ContextStateFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final long offset;

    ContextStateFormatException(String problem, long offset) {
        this(problem, offset, null);
    }

    ContextStateFormatException(String problem, long offset, Throwable cause) {
        super("invalid context state encoding: " + problem + " (at byte offset " + offset + ")", cause);
        this.offset = offset;
    }

    /** Offset in the input of the byte (or field) where the problem was found. */
    public long offset() {
        return offset;
    }
}
