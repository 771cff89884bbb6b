package dev.vstream.ingest.stream;

/** No stream with this id is registered (or it was deleted). */
public final class StreamNotFoundException extends RuntimeException {
    private final String streamId;

    public StreamNotFoundException(String streamId) {
        super("no stream with id '" + streamId + "'");
        this.streamId = streamId;
    }

    public String streamId() {
        return streamId;
    }
}
