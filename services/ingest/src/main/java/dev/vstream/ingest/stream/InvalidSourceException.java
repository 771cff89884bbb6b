package dev.vstream.ingest.stream;

/** A registration whose source string names no source ingest can read (unknown scheme, malformed URL). */
public final class InvalidSourceException extends RuntimeException {
    public InvalidSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
