package dev.vstream.qa.web;

import dev.vstream.api.frame.StreamId;
import dev.vstream.api.question.AnswerReport;
import dev.vstream.api.question.QuestionRequest;
import dev.vstream.qa.QaProperties;
import dev.vstream.qa.answer.AnswerEngine;
import dev.vstream.qa.answer.Question;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code POST /v1/streams/{id}/questions}: synchronous by default (200 with the answer), {@code ?async=true}
 * (202 with the question id, then {@code GET /v1/questions/{qid}}), or tokens as server-sent events with
 * {@code Accept: text/event-stream} (events {@code token} with {@code {"text": ...}}, then {@code answer} with the
 * full report, or {@code error} with a problem detail).
 */
@RestController
class QuestionController {

    private final AnswerEngine engine;
    private final AsyncQuestions async;
    private final QaProperties properties;

    QuestionController(AnswerEngine engine, AsyncQuestions async, QaProperties properties) {
        this.engine = engine;
        this.async = async;
        this.properties = properties;
    }

    @PostMapping(path = "/v1/streams/{id}/questions", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> ask(@PathVariable String id, @RequestBody QuestionRequest request,
                          @RequestParam(defaultValue = "false") boolean async) {
        Question question = question(id, request);
        CompletableFuture<AnswerReport> answer = engine.submit(question, text -> { });
        if (async) {
            this.async.add(question.id(), id, answer);
            URI location = URI.create("/v1/questions/" + question.id());
            return ResponseEntity.accepted().location(location)
                    .body(Map.of("questionId", question.id(), "streamId", id, "status", "PENDING",
                            "location", location.toString()));
        }
        return ResponseEntity.ok(Answers.await(answer, properties.answerTimeout()));
    }

    @PostMapping(path = "/v1/streams/{id}/questions", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter askStreaming(@PathVariable String id, @RequestBody QuestionRequest request) {
        Question question = question(id, request);
        SseEmitter emitter = new SseEmitter(properties.answerTimeout().toMillis());
        CompletableFuture<AnswerReport> answer = engine.submit(question, text -> send(emitter, "token",
                Map.of("text", text)));
        answer.whenComplete((report, error) -> {
            if (error == null) {
                send(emitter, "answer", report);
                emitter.complete();
            } else {
                send(emitter, "error", Map.of("title", "Answer failed", "status", 500, "detail", error.toString()));
                emitter.complete();
            }
        });
        return emitter;
    }

    @GetMapping(path = "/v1/questions/{qid}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<AsyncQuestions.Status> poll(@PathVariable String qid) {
        return async.status(qid).map(ResponseEntity::ok).orElseThrow(() -> Problems.exception(HttpStatus.NOT_FOUND,
                "question-not-found", "Unknown question", "no question '" + qid + "' is kept (unknown or expired)"));
    }

    private static Question question(String streamId, QuestionRequest request) {
        if (!StreamId.isValid(streamId)) {
            throw Problems.exception(HttpStatus.BAD_REQUEST, "invalid-stream-id", "Invalid stream id",
                    "stream ids match [A-Za-z0-9][A-Za-z0-9._-]{0,127}");
        }
        return Question.now(UUID.randomUUID().toString(), streamId, request);
    }

    private static void send(SseEmitter emitter, String event, Object data) {
        try {
            emitter.send(SseEmitter.event().name(event).data(data, MediaType.APPLICATION_JSON));
        } catch (IOException | IllegalStateException e) {
            // The client went away: the answer is still computed (the model cannot be interrupted mid-token).
        }
    }
}
