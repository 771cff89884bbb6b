package dev.vstream.ingest.web;

import dev.vstream.ingest.stream.StreamCapacityException;
import dev.vstream.ingest.stream.StreamConflictException;
import dev.vstream.ingest.stream.InvalidSourceException;
import dev.vstream.ingest.stream.StreamNotFoundException;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;

/**
 * Every error as an RFC 9457 problem detail. Spring MVC's own exceptions (404 route, 405, 415, ...) come
 * from the base class; the body of a rejected registration names the rule it breaks, which the record's
 * compact constructor states and Jackson wraps.
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);
    private static final String TYPE_BASE = "urn:vstream:problem:";

    @ExceptionHandler(StreamNotFoundException.class)
    ProblemDetail notFound(StreamNotFoundException e) {
        ProblemDetail problem = problem(HttpStatus.NOT_FOUND, "stream-not-found", "Stream not found", e.getMessage());
        problem.setProperty("streamId", e.streamId());
        return problem;
    }

    @ExceptionHandler(StreamConflictException.class)
    ProblemDetail conflict(StreamConflictException e) {
        ProblemDetail problem = problem(HttpStatus.CONFLICT, "stream-active", "Stream already active", e.getMessage());
        problem.setProperty("streamId", e.streamId());
        return problem;
    }

    @ExceptionHandler(StreamCapacityException.class)
    ProblemDetail capacity(StreamCapacityException e) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "capacity", "No capacity for another stream", e.getMessage());
    }

    /** The registration's checks that need more than the record: the source's scheme and form. */
    @ExceptionHandler(InvalidSourceException.class)
    ProblemDetail invalid(InvalidSourceException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-registration", "Invalid stream registration", e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        log.error("request failed", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error", "the request failed; see the service log");
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        IllegalArgumentException rule = find(e, IllegalArgumentException.class);
        ProblemDetail problem;
        if (rule != null) {
            problem = problem(HttpStatus.BAD_REQUEST, "invalid-registration", "Invalid stream registration", rule.getMessage());
        } else {
            JacksonException json = find(e, JacksonException.class);
            String detail = json != null ? "malformed request body: " + json.getOriginalMessage() : "request body is missing or unreadable";
            problem = problem(HttpStatus.BAD_REQUEST, "malformed-body", "Malformed request body", detail);
        }
        return handleExceptionInternal(e, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_BASE + type));
        problem.setTitle(title);
        return problem;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
