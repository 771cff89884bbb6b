package dev.vstream.ingest.stream;

import dev.vstream.api.stream.StreamState;

/** A stream with this id is still active; it must finish or be deleted before the id is registered again. */
public final class StreamConflictException extends RuntimeException {
    private final String streamId;

    public StreamConflictException(String streamId, StreamState state) {
        super("stream '" + streamId + "' is already active (" + state + "); DELETE it first");
        this.streamId = streamId;
    }

    public String streamId() {
        return streamId;
    }
}
