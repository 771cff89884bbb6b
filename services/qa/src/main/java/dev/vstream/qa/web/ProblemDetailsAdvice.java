package dev.vstream.qa.web;

import dev.vstream.qa.answer.QuestionRejectedException;
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
 * Every error as an RFC 9457 problem detail: unknown stream 404, stream without usable memory 409, input limits
 * 400, request too large 413, model not loaded or queue full 503, answer timeout 504.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    @ExceptionHandler(QuestionRejectedException.class)
    ResponseEntity<ProblemDetail> rejected(QuestionRejectedException e) {
        ProblemDetail problem = switch (e.reason()) {
            case UNKNOWN_STREAM -> Problems.problem(HttpStatus.NOT_FOUND, "stream-not-found", "Unknown stream",
                    e.getMessage());
            case NO_MEMORY -> Problems.problem(HttpStatus.CONFLICT, "no-memory", "Stream without usable memory",
                    e.getMessage());
            case LIMIT -> Problems.problem(HttpStatus.BAD_REQUEST, "limit", "Input limit exceeded", e.getMessage());
            case MODEL_UNAVAILABLE -> Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, "model-unavailable",
                    "Language model not loaded", e.getMessage());
            case BUSY -> Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, "busy", "Too many questions waiting",
                    e.getMessage());
        };
        if (e.streamId() != null) {
            problem.setProperty("streamId", e.streamId());
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.status(problem.getStatus());
        if (e.reason() == QuestionRejectedException.Reason.BUSY) {
            response.header(HttpHeaders.RETRY_AFTER, "1");
        }
        return response.body(problem);
    }

    @ExceptionHandler(RequestTooLargeException.class)
    ProblemDetail tooLarge(RequestTooLargeException e) {
        return Problems.problem(HttpStatus.CONTENT_TOO_LARGE, "request-too-large", "Request too large", e.getMessage());
    }

    /** A request the records accept but the endpoint cannot use (no user message, a stop of the wrong type). */
    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail invalid(IllegalArgumentException e) {
        return Problems.problem(HttpStatus.BAD_REQUEST, "invalid-question", "Invalid question", e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        log.error("request failed", e);
        return Problems.problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error",
                "the request failed; see the service log");
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        RequestTooLargeException large = find(e, RequestTooLargeException.class);
        if (large != null) {
            return handleExceptionInternal(e, tooLarge(large), headers, HttpStatus.CONTENT_TOO_LARGE, request);
        }
        IllegalArgumentException rule = find(e, IllegalArgumentException.class);
        ProblemDetail problem;
        if (rule != null) {
            problem = Problems.problem(HttpStatus.BAD_REQUEST, "invalid-question", "Invalid question", rule.getMessage());
        } else {
            JacksonException json = find(e, JacksonException.class);
            String detail = json != null ? "malformed request body: " + json.getOriginalMessage()
                    : "request body is missing or unreadable";
            problem = Problems.problem(HttpStatus.BAD_REQUEST, "malformed-body", "Malformed request body", detail);
        }
        return handleExceptionInternal(e, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> kind) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (kind.isInstance(t)) {
                return kind.cast(t);
            }
        }
        return null;
    }
}
