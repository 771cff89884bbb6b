package dev.vstream.local;

import dev.vstream.api.stream.PlaybackMode;
import dev.vstream.api.stream.StreamRegistration;
import dev.vstream.api.stream.StreamState;
import dev.vstream.api.stream.StreamStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's main job: stream a video live through the running stack, print what each service did with it
 * and ask questions about it at different times, through the same REST endpoints a user would call.
 */
final class DemoJob {
    static final String STREAM_ID = "sample";
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    /** Asked when the stream has run this long (the rest right after the stream ends). */
    static final List<Duration> QUESTION_TIMES = List.of(Duration.ofSeconds(10), Duration.ofSeconds(25),
            Duration.ofSeconds(40));
    static final List<String> QUESTIONS = List.of("What is on the screen right now?",
            "What changed in the last few seconds?", "What colour is the moving shape?");

    private final LocalStack stack;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();

    DemoJob(LocalStack stack, PrintStream out) {
        this.stack = stack;
        this.out = out;
    }

    /** Streams {@code source} until it ends or {@code duration} passes; returns the final ingest status. */
    StreamStatus run(String source, double fps, Duration duration) throws IOException, InterruptedException {
        StreamRegistration registration = new StreamRegistration(STREAM_ID, source, fps, 224, 224, null,
                PlaybackMode.REALTIME, null);
        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(stack.ingestUrl() + "/v1/streams"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(registration))).build());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("ingest refused the demo stream (" + created.statusCode() + "): " + created.body());
        }
        out.printf("Streaming %s as '%s' at %.1f fps (REALTIME) -> Kafka topic vstream.frames%n", source, STREAM_ID, fps);
        long start = System.nanoTime();
        int asked = 0;
        StreamStatus status = ingestStatus();
        while (!status.state().isTerminal()) {
            long sleep = PROGRESS_EVERY.toMillis();
            if (duration != null) {
                long left = (duration.toNanos() - (System.nanoTime() - start)) / 1_000_000;
                sleep = Math.clamp(left, 1, sleep);
            }
            Thread.sleep(sleep);
            status = ingestStatus();
            out.println(progressLine(Duration.ofNanos(System.nanoTime() - start), status));
            while (asked < QUESTIONS.size() && System.nanoTime() - start >= QUESTION_TIMES.get(asked).toNanos()) {
                ask(Duration.ofNanos(System.nanoTime() - start), QUESTIONS.get(asked++));
            }
            if (duration != null && System.nanoTime() - start >= duration.toNanos() && !status.state().isTerminal()) {
                // Stopping removes the stream from ingest; the DELETE answers with its final status.
                HttpResponse<String> stopped = send(HttpRequest.newBuilder(
                        URI.create(stack.ingestUrl() + "/v1/streams/" + STREAM_ID)).DELETE().build());
                status = json.readValue(stopped.body(), StreamStatus.class);
                out.println(progressLine(Duration.ofNanos(System.nanoTime() - start), status));
            }
        }
        if (status.state() == StreamState.FAILED) {
            out.println("The demo stream failed: " + status.lastError());
        }
        while (asked < QUESTIONS.size()) {
            ask(Duration.ofNanos(System.nanoTime() - start), QUESTIONS.get(asked++));
        }
        return status;
    }

    private String progressLine(Duration elapsed, StreamStatus s) throws IOException, InterruptedException {
        return String.format("t=%3ds  ingest: %-9s read %5d  published %5d  pending %3d  pts %7.1fs  lag %5d ms  |  memory: %s",
                elapsed.toSeconds(), s.state(), s.framesRead(), s.framesPublished(), s.framesPending(),
                Math.max(0, s.lastPtsMicros()) / 1e6, s.lagMillis(), memoryIntake());
    }

    /** Asks the qa service about the stream and prints the answer with its latency and the memory it used. */
    void ask(Duration elapsed, String question) throws IOException, InterruptedException {
        String body = json.writeValueAsString(Map.of("question", question, "maxTokens", 24));
        long sent = System.nanoTime();
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                URI.create(stack.qaUrl() + "/v1/streams/" + STREAM_ID + "/questions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        long latencyMs = (System.nanoTime() - sent) / 1_000_000;
        JsonNode answer = json.readTree(response.body());
        if (response.statusCode() != 200) {
            out.printf("t=%3ds  qa: Q \"%s\" -> %d %s: %s%n", elapsed.toSeconds(), question, response.statusCode(),
                    answer.path("title").asString(), answer.path("detail").asString());
            return;
        }
        out.printf("t=%3ds  qa: Q \"%s\"%n        A %s%n        latency %d ms (time to first token %.1f ms, %d tokens), "
                        + "memory v%d, context v%d (newest frame %.1fs, %d ms old), %d prompt tokens, %s%s%n",
                elapsed.toSeconds(), question, json.writeValueAsString(answer.path("answer").asString()), latencyMs,
                answer.path("timeToFirstTokenMs").asDouble(), answer.path("generatedTokens").asInt(),
                answer.path("memoryVersion").asLong(), answer.path("contextVersion").asLong(),
                answer.path("newestFramePtsMicros").asLong() / 1e6,
                answer.path("stalenessMs").asLong(), answer.path("promptTokens").asInt(),
                contextSource(answer),
                answer.path("untrainedModel").asBoolean() ? " [untrained demo model: the text is not meaningful]" : "");
    }

    /** Where the answer's context came from, as the answer reports it. */
    private static String contextSource(JsonNode answer) {
        if (answer.path("fallbackPrefill").asBoolean()) {
            return "context prefilled by qa from the memory snapshot (fallback)";
        }
        return "context prefilled by the memory service" + (answer.path("sparsePrefillUsed").asBoolean() ? ", sparse" : "")
                + (answer.path("contextReused").asBoolean() ? ", already cached" : "");
    }

    private String memoryIntake() throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                URI.create(stack.memoryUrl() + "/v1/streams/" + STREAM_ID + "/intake")).GET().build());
        if (response.statusCode() == 404) {
            return "no frames yet";
        }
        if (response.statusCode() != 200) {
            return "unavailable (" + response.statusCode() + ")";
        }
        JsonNode intake = json.readTree(response.body());
        return "accepted " + intake.path("framesAccepted").asLong() + " frames, newest pts "
                + String.format("%.1fs", intake.path("lastPtsMicros").asLong() / 1e6);
    }

    private StreamStatus ingestStatus() throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                URI.create(stack.ingestUrl() + "/v1/streams/" + STREAM_ID)).GET().build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("ingest status failed (" + response.statusCode() + "): " + response.body());
        }
        return json.readValue(response.body(), StreamStatus.class);
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
