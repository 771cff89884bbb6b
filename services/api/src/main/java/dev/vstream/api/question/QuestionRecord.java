package dev.vstream.api.question;

import dev.vstream.api.frame.StreamId;

/**
 * A question on {@code vstream.questions} (key = stream id), wire format {@link QuestionCodec}; the answer comes on
 * {@code vstream.answers} as an {@link AnswerRecord} with the same question id.
 *
 * @param questionId 1..{@value #MAX_ID_BYTES} UTF-8 bytes, chosen by the client, unique per question
 * @param streamId   the stream asked about, equal to the record key
 * @param askedAtMs  the question's time (epoch ms): it is answered from the memory snapshot newest at this time
 * @param request    the question and its options
 */
public record QuestionRecord(String questionId, String streamId, long askedAtMs, QuestionRequest request) {
    public static final int MAX_ID_BYTES = 128;

    public QuestionRecord {
        if (questionId == null || questionId.isEmpty()
                || questionId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
            throw new IllegalArgumentException("question id must be 1.." + MAX_ID_BYTES + " UTF-8 bytes");
        }
        StreamId.require(streamId);
        if (askedAtMs < 0) {
            throw new IllegalArgumentException("askedAtMs must be >= 0, got " + askedAtMs);
        }
        java.util.Objects.requireNonNull(request, "request");
    }
}
