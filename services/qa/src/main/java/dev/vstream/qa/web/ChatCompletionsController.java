package dev.vstream.qa.web;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.vstream.api.frame.StreamId;
import dev.vstream.api.question.AnswerReport;
import dev.vstream.api.question.QuestionRequest;
import dev.vstream.qa.QaProperties;
import dev.vstream.qa.answer.AnswerEngine;
import dev.vstream.qa.answer.Question;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * OpenAI-compatible {@code POST /v1/chat/completions}, so OpenAI clients work with
 * {@code base_url=http://localhost:8083/v1}. The stream is the extension field {@code vstream_stream_id}
 * (the Python client sends it with {@code extra_body}); the question is the text of the last {@code user}
 * message (prompt layout v1 has no conversation history, earlier messages are not used). {@code stream: true}
 * answers with {@code chat.completion.chunk} events as {@code data:} lines and a final {@code data: [DONE]}.
 * Every response carries the answer report in the extension field {@code vstream}.
 */
@RestController
class ChatCompletionsController {

    /** The request fields vstream reads; others (n, logprobs, tools, ...) are not supported and ignored. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ChatRequest(String model, List<Message> messages, @JsonProperty("max_tokens") Integer maxTokens,
                       @JsonProperty("max_completion_tokens") Integer maxCompletionTokens, Double temperature,
                       @JsonProperty("top_p") Double topP, Object stop, Boolean stream, Long seed,
                       @JsonProperty("stream_options") Map<String, Object> streamOptions,
                       @JsonProperty("vstream_stream_id") String streamId,
                       @JsonProperty("vstream_sparse_prefill") Boolean sparsePrefill) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Message(String role, Object content) {
    }

    private final AnswerEngine engine;
    private final QaProperties properties;

    ChatCompletionsController(AnswerEngine engine, QaProperties properties) {
        this.engine = engine;
        this.properties = properties;
    }

    @PostMapping(path = "/v1/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    Object complete(@RequestBody ChatRequest request) {
        String streamId = request.streamId();
        if (streamId == null || !StreamId.isValid(streamId)) {
            throw Problems.exception(HttpStatus.BAD_REQUEST, "missing-stream-id", "Missing stream id",
                    "give the stream in the extension field vstream_stream_id (a valid stream id)");
        }
        QuestionRequest question = new QuestionRequest(lastUserText(request.messages()),
                request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens(),
                request.temperature(), request.topP(), stops(request.stop()), request.seed(), request.sparsePrefill());
        String id = UUID.randomUUID().toString();
        Question q = Question.now(id, streamId, question);
        String model = request.model() == null ? "vstream" : request.model();
        long created = q.askedAtMs() / 1000;
        if (Boolean.TRUE.equals(request.stream())) {
            boolean usage = request.streamOptions() != null && Boolean.TRUE.equals(request.streamOptions().get("include_usage"));
            return stream(q, model, created, usage);
        }
        AnswerReport report = Answers.await(engine.submit(q, text -> { }), properties.answerTimeout());
        Map<String, Object> body = base(id, "chat.completion", created, model);
        body.put("choices", List.of(Map.of("index", 0,
                "message", Map.of("role", "assistant", "content", report.answer()),
                "finish_reason", report.finishReason())));
        body.put("usage", usage(report));
        body.put("vstream", report);
        return body;
    }

    private SseEmitter stream(Question q, String model, long created, boolean includeUsage) {
        SseEmitter emitter = new SseEmitter(properties.answerTimeout().toMillis());
        String id = q.id();
        // The first chunk carries the role, as OpenAI's does. It is sent from the engine's thread before the first
        // text, so a question rejected by submit (404, 409, ...) still gets a plain problem-detail response.
        boolean[] started = new boolean[1];
        Runnable start = () -> {
            if (!started[0]) {
                started[0] = true;
                send(emitter, chunk(id, created, model, Map.of("role", "assistant", "content", ""), null));
            }
        };
        CompletableFuture<AnswerReport> answer = engine.submit(q, text -> {
            start.run();
            send(emitter, chunk(id, created, model, Map.of("content", text), null));
        });
        answer.whenComplete((report, error) -> {
            start.run();
            if (error == null) {
                Map<String, Object> last = chunk(id, created, model, Map.of(), report.finishReason());
                last.put("vstream", report);
                send(emitter, last);
                if (includeUsage) {
                    Map<String, Object> usage = base(id, "chat.completion.chunk", created, model);
                    usage.put("choices", List.of());
                    usage.put("usage", usage(report));
                    send(emitter, usage);
                }
            } else {
                send(emitter, Map.of("error", Map.of("message", error.toString(), "type", "server_error")));
            }
            try {
                emitter.send(SseEmitter.event().data("[DONE]", MediaType.TEXT_PLAIN));
            } catch (IOException | IllegalStateException e) {
                // client gone
            }
            emitter.complete();
        });
        return emitter;
    }

    private static Map<String, Object> chunk(String id, long created, String model, Map<String, Object> delta,
                                             String finishReason) {
        Map<String, Object> chunk = base(id, "chat.completion.chunk", created, model);
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("delta", delta);
        choice.put("finish_reason", finishReason);
        chunk.put("choices", List.of(choice));
        return chunk;
    }

    private static Map<String, Object> base(String id, String object, long created, String model) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", "chatcmpl-" + id);
        body.put("object", object);
        body.put("created", created);
        body.put("model", model);
        return body;
    }

    private static Map<String, Object> usage(AnswerReport report) {
        return Map.of("prompt_tokens", report.promptTokens(), "completion_tokens", report.generatedTokens(),
                "total_tokens", report.promptTokens() + report.generatedTokens());
    }

    private static void send(SseEmitter emitter, Object data) {
        try {
            emitter.send(SseEmitter.event().data(data, MediaType.APPLICATION_JSON));
        } catch (IOException | IllegalStateException e) {
            // The client went away; the answer is still computed.
        }
    }

    static String lastUserText(List<Message> messages) {
        if (messages == null) {
            throw new IllegalArgumentException("messages is required");
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            Message m = messages.get(i);
            if ("user".equals(m.role())) {
                return text(m.content());
            }
        }
        throw new IllegalArgumentException("messages holds no user message");
    }

    private static String text(Object content) {
        if (content instanceof String s) {
            return s;
        }
        if (content instanceof List<?> parts) {
            StringBuilder text = new StringBuilder();
            for (Object part : parts) {
                if (part instanceof Map<?, ?> map && "text".equals(map.get("type")) && map.get("text") instanceof String s) {
                    text.append(text.isEmpty() ? "" : "\n").append(s);
                }
            }
            return text.toString();
        }
        throw new IllegalArgumentException("message content must be a string or a list of text parts");
    }

    private static List<String> stops(Object stop) {
        if (stop == null) {
            return null;
        }
        if (stop instanceof String s) {
            return List.of(s);
        }
        if (stop instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw new IllegalArgumentException("stop must be a string or a list of strings");
                }
                out.add(s);
            }
            return out;
        }
        throw new IllegalArgumentException("stop must be a string or a list of strings");
    }
}
