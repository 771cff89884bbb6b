package dev.vstream.memory.web;

import dev.vstream.api.frame.StreamId;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** RFC 9457 problem details of the per-stream endpoints. */
final class Problems {
    private Problems() {
    }

    /** A problem about {@code streamId}'s {@code resource} under {@code base} (the instance is its path). */
    static ErrorResponseException of(HttpStatus status, String title, String detail, String base, String streamId,
                                     String resource) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setInstance(URI.create(base + "/streams/" + (StreamId.isValid(streamId) ? streamId + "/" : "")
                + resource));
        problem.setProperty("streamId", streamId);
        return new ErrorResponseException(status, problem, null);
    }
}
