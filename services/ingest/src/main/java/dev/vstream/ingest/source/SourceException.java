package dev.vstream.ingest.source;

/** A source that cannot be opened or read; the message is what a user sees as the stream's lastError. */
public final class SourceException extends Exception {
    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
