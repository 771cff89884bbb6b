package dev.vstream.api.stream;

/** Life cycle of an ingested stream. */
public enum StreamState {
    /** Registered; opening the source. */
    STARTING,
    /** Reading, sampling and publishing frames. */
    RUNNING,
    /** A live source dropped; waiting out the backoff before opening it again. */
    RECONNECTING,
    /** A file source was read to its end and every frame was acknowledged. */
    COMPLETED,
    /** The source cannot be read (corrupt, unsupported, unreachable); see lastError. */
    FAILED,
    /** Stopped on request. */
    STOPPED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == STOPPED;
    }
}
