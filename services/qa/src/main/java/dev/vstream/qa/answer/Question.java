package dev.vstream.qa.answer;

import dev.vstream.api.frame.StreamId;
import dev.vstream.api.question.QuestionRequest;
import java.util.Objects;

/**
 * A question as the engine takes it.
 *
 * @param id        question id (a UUID unless the client gave one over Kafka)
 * @param streamId  the stream asked about
 * @param request   the question and its options
 * @param askedAtMs the question's time (epoch ms): the memory newest at this time answers it
 * @param byTime    pick the snapshot by comparing {@code askedAtMs} with the Kafka times of the snapshots (questions
 *                  from vstream.questions, answered later than asked); false for a question asked now, which takes
 *                  the newest snapshot known, whatever the clocks of the memory service's host and this one say
 */
public record Question(String id, String streamId, QuestionRequest request, long askedAtMs, boolean byTime) {
    public Question {
        Objects.requireNonNull(id, "id");
        StreamId.require(streamId);
        Objects.requireNonNull(request, "request");
    }

    /** A question from the past, answered from the snapshot newest at {@code askedAtMs}. */
    public Question(String id, String streamId, QuestionRequest request, long askedAtMs) {
        this(id, streamId, request, askedAtMs, true);
    }

    /** A question asked now: the newest snapshot answers it. */
    public static Question now(String id, String streamId, QuestionRequest request) {
        return new Question(id, streamId, request, System.currentTimeMillis(), false);
    }
}
