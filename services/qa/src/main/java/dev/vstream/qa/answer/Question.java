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
 */
public record Question(String id, String streamId, QuestionRequest request, long askedAtMs) {
    public Question {
        Objects.requireNonNull(id, "id");
        StreamId.require(streamId);
        Objects.requireNonNull(request, "request");
    }
}
