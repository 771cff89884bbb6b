package dev.vstream.ingest.stream;

/** This instance already runs its maximum number of active streams. */
public final class StreamCapacityException extends RuntimeException {
    public StreamCapacityException(int maxStreams) {
        super("this ingest instance already runs its maximum of " + maxStreams + " active streams");
    }
}
