package dev.vstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vstream.api.stream.StreamState;
import dev.vstream.api.stream.StreamStatus;
import dev.vstream.ingest.sample.SampleVideo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's main job, end to end on the real broker: a generated video streamed live reaches the memory service,
 * which keeps a memory with the generated demo encoder, and qa answers from it.
 */
class LocalDemoIT {

    @Test
    void demoStreamsTheSampleThroughIngestIntoMemory(@TempDir Path dir) throws Exception {
        Path video = new SampleVideo(320, 240, 10, Duration.ofSeconds(4)).write(dir.resolve("clip.mp4"));
        LocalOptions options = LocalOptions.parse(new String[] {"demo", "--data", dir.resolve("var").toString(),
                "--kafka-port", "0", "--ingest-port", "0", "--memory-port", "0", "--qa-port", "0", "--exit"});
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (LocalStack stack = LocalStack.start(options)) {
            StreamStatus status = new DemoJob(stack, new PrintStream(printed, true, StandardCharsets.UTF_8))
                    .run(video.toString(), 5.0, null);

            assertThat(status.state()).isEqualTo(StreamState.COMPLETED);
            assertThat(status.framesPublished()).isEqualTo(20);
            HttpClient http = HttpClient.newHttpClient();
            URI intake = URI.create(stack.memoryUrl() + "/v1/streams/" + DemoJob.STREAM_ID + "/intake");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(intake).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                var body = JsonMapper.builder().build().readTree(response.body());
                assertThat(body.path("framesAccepted").asLong()).isEqualTo(20);
                assertThat(body.path("lastSequence").asLong()).isEqualTo(19);
            });
            // The whole pipeline: frames -> demo vision encoder -> STAR memory -> snapshot -> qa answers from it.
            URI question = URI.create(stack.qaUrl() + "/v1/streams/" + DemoJob.STREAM_ID + "/questions");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(question)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"what is on screen?\",\"maxTokens\":4}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                var answer = JsonMapper.builder().build().readTree(response.body());
                assertThat(answer.path("memoryVersion").asLong()).isEqualTo(20);
                assertThat(answer.path("memoryTokens").asInt()).isPositive();
                // The memory service prefilled the context and handed it over in memory: qa did not rebuild it.
                assertThat(answer.path("fallbackPrefill").asBoolean()).isFalse();
                assertThat(answer.path("contextVersion").asLong()).isEqualTo(20);
            });
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Streaming " + video).contains("ingest:")
                .contains("qa: Q \"" + DemoJob.QUESTIONS.getFirst() + "\"");
    }
}
