package dev.vstream.context.wire;

/** Bytes that are not a valid {@link PrefilledContextCodec} record; the message says what is wrong. */
public final class MalformedContextException extends IllegalArgumentException {
    public MalformedContextException(String message) {
        super(message);
    }

    public MalformedContextException(String message, Throwable cause) {
        super(message, cause);
    }
}
