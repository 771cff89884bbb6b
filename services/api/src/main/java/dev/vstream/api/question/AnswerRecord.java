package dev.vstream.api.question;

import dev.vstream.api.frame.StreamId;
import java.util.Objects;

/**
 * The reply to a {@link QuestionRecord} on {@code vstream.answers} (key = stream id), wire format
 * {@link AnswerCodec}: either the answer or why there is none.
 */
public sealed interface AnswerRecord {

    String questionId();

    String streamId();

    /** The question was answered. */
    record Answered(AnswerReport report) implements AnswerRecord {
        public Answered {
            Objects.requireNonNull(report, "report");
        }

        @Override
        public String questionId() {
            return report.questionId();
        }

        @Override
        public String streamId() {
            return report.streamId();
        }
    }

    /**
     * The question was not answered: the HTTP status and problem the REST API would have given (404 unknown
     * stream, 409 no memory, 400 limits, 503 model not loaded, 500 failure).
     */
    record Rejected(String questionId, String streamId, int status, String title, String detail)
            implements AnswerRecord {
        public Rejected {
            Objects.requireNonNull(questionId, "questionId");
            StreamId.require(streamId);
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("status must be an HTTP error status, got " + status);
            }
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
