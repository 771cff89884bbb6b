package dev.vstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vstream.api.frame.FrameRecordCodec;
import dev.vstream.api.topic.TopicProvisioner;
import dev.vstream.api.topic.Topics;
import dev.vstream.broker.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The service end to end: REST on a random port, frames on the real broker, metrics and probes. */
@SpringBootTest(classes = IngestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {IngestApplication.CONFIG_NAME, "vstream.ingest.max-streams=4"})
class StreamRestIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        KafkaBroker broker = KafkaBroker.shared();
        TopicProvisioner.ensure(broker.bootstrapServers(), List.of(Topics.FRAMES));
        registry.add("spring.kafka.bootstrap-servers", broker::bootstrapServers);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(30));
        request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode status(String id) throws Exception {
        return json.readTree(send("GET", "/v1/streams/" + id, null).body());
    }

    @Test
    void registerIngestObserveAndStopOverHttp() throws Exception {
        await().atMost(TIMEOUT).until(() -> send("GET", "/actuator/health/readiness", null).statusCode() == 200);
        assertThat(send("GET", "/actuator/health/liveness", null).statusCode()).isEqualTo(200);

        Path video = TestVideos.sample(320, 240, 30, Duration.ofSeconds(4));
        String id = "it-rest-" + RUN;
        HttpResponse<String> created = send("POST", "/v1/streams", """
                {"id":"%s","source":"%s","targetFps":5,"width":96,"height":64,"resize":"CENTER_CROP","playback":"FAST","jpegQuality":80}
                """.formatted(id, video));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).hasValue("http://localhost:" + port + "/v1/streams/" + id);
        assertThat(json.readTree(created.body()).get("id").asString()).isEqualTo(id);

        await().atMost(TIMEOUT).until(() -> status(id).get("state").asString().equals("COMPLETED"));
        JsonNode done = status(id);
        assertThat(done.get("framesRead").asLong()).isEqualTo(120);
        assertThat(done.get("framesPublished").asLong()).isEqualTo(20);
        assertThat(done.get("framesPending").asLong()).isZero();
        assertThat(done.get("lastPtsMicros").asLong()).isEqualTo(3_800_000);
        assertThat(done.get("startedAt").asString()).endsWith("Z");

        List<ConsumerRecord<String, byte[]>> records = FramesTopic.read(KafkaBroker.shared().bootstrapServers(), id);
        assertThat(records).hasSize(20);
        assertThat(FrameRecordCodec.decode(id, records.getLast().value()).width()).isEqualTo(96);

        String metrics = send("GET", "/actuator/prometheus", null).body();
        assertThat(metrics).contains("vstream_ingest_frames_published_total{application=\"vstream-ingest\",stream=\"" + id + "\"} 20.0")
                .contains("vstream_ingest_frames_read_total{application=\"vstream-ingest\",stream=\"" + id + "\"} 120.0")
                .contains("vstream_ingest_frames_in_flight{").contains("vstream_ingest_streams_active{");

        HttpResponse<String> list = send("GET", "/v1/streams", null);
        assertThat(json.readTree(list.body()).valueStream().map(s -> s.get("id").asString())).contains(id);

        HttpResponse<String> deleted = send("DELETE", "/v1/streams/" + id, null);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(json.readTree(deleted.body()).get("state").asString()).isEqualTo("COMPLETED");
        HttpResponse<String> gone = send("GET", "/v1/streams/" + id, null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json.readTree(gone.body()).get("detail").asString()).isEqualTo("no stream with id '" + id + "'");
    }

    @Test
    void errorsAreProblemDetailsOverHttp() throws Exception {
        HttpResponse<String> invalid = send("POST", "/v1/streams", "{\"id\":\"x\",\"source\":\"a.mp4\",\"targetFps\":120}");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = json.readTree(invalid.body());
        assertThat(problem.get("detail").asString()).isEqualTo("targetFps must be in (0, 60.0], got 120.0");
        assertThat(problem.get("title").asString()).isEqualTo("Invalid stream registration");
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("instance").asString()).isEqualTo("/v1/streams");

        String id = "it-missing-" + RUN;
        assertThat(send("POST", "/v1/streams", "{\"id\":\"" + id + "\",\"source\":\"/nonexistent.mp4\"}").statusCode()).isEqualTo(201);
        await().atMost(TIMEOUT).until(() -> status(id).get("state").asString().equals("FAILED"));
        assertThat(status(id).get("lastError").asString()).isEqualTo("no such file: /nonexistent.mp4");

        HttpResponse<String> unknownRoute = send("GET", "/v1/nothing-here", null);
        assertThat(unknownRoute.statusCode()).isEqualTo(404);
        assertThat(unknownRoute.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }
}
