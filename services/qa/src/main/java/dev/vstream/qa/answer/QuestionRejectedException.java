package dev.vstream.qa.answer;

/** Why a question cannot be answered, decided before any model work; the web layer maps {@link Reason} to a status. */
public final class QuestionRejectedException extends RuntimeException {

    public enum Reason {
        /** No memory of the stream is known: 404. */
        UNKNOWN_STREAM,
        /** The stream is known but has no usable memory at the question's time: 409. */
        NO_MEMORY,
        /** A configured input limit is exceeded: 400. */
        LIMIT,
        /** The language model is not loaded: 503. */
        MODEL_UNAVAILABLE,
        /** Too many questions are waiting for the model: 503 with Retry-After. */
        BUSY
    }

    private final Reason reason;
    private final String streamId;

    public QuestionRejectedException(Reason reason, String streamId, String message) {
        super(message);
        this.reason = reason;
        this.streamId = streamId;
    }

    public Reason reason() {
        return reason;
    }

    public String streamId() {
        return streamId;
    }
}
