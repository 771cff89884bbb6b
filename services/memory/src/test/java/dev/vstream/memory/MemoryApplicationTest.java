package dev.vstream.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.api.memory.TokenType;
import dev.vstream.memory.encoder.StarSizes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The service without a reachable broker: it starts, stays alive, is not ready, and its intake API says the
 * state is unavailable rather than that a stream is unknown.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {MemoryApplication.CONFIG_NAME,
        "spring.kafka.bootstrap-servers=localhost:1",
        "vstream.memory.application-id=memory-no-broker-test",
        "vstream.memory.state-dir=${java.io.tmpdir}/vstream-memory-no-broker-test",
        "vstream.memory.stream-threads=2",
        "vstream.memory.shutdown-timeout=5s",
        "vstream.memory.model-dir=/srv/models"})
class MemoryApplicationTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    MemoryProperties properties;

    @Test
    void bindsItsPropertiesWithDefaultsForTheRest() {
        assertThat(properties.streamThreads()).isEqualTo(2);
        assertThat(properties.modelDir()).isEqualTo(Path.of("/srv/models"));
        assertThat(properties.commitInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(properties.applicationServer()).isNull();
        assertThat(properties.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(properties.snapshotTokens()).isEqualTo(TokenType.F16);
        assertThat(properties.star().sizes()).isEqualTo(StarSizes.PAPER);
        assertThat(properties.computeThreads()).isPositive();
        assertThat(properties.context().windowFrames()).isZero();
        assertThat(properties.context().kvPrecision()).isEqualTo(dev.vstream.model.lm.KvPrecision.F32);
    }

    @Test
    void readinessSaysWhyNoMemoryIsKept() throws Exception {
        String readiness = get("/actuator/health/readiness").body();
        assertThat(readiness).contains("\"memoryModel\"").contains("\"NO_MEMORY\"")
                .contains("no vision checkpoint at /srv/models");
    }

    @Test
    void aliveButNotReadyUntilKafkaStreamsRuns() throws Exception {
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        HttpResponse<String> readiness = get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("\"kafkaStreams\"").contains("\"DOWN\"");
    }

    @Test
    void intakeIsUnavailableNotUnknownWhileStreamsIsNotRunning() throws Exception {
        HttpResponse<String> response = get("/v1/streams/cam-1/intake");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void invalidStreamIdIsABadRequest() throws Exception {
        HttpResponse<String> response = get("/v1/streams/-bad%20id/intake");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("Invalid stream id");
    }

    @Test
    void exposesIntakeCountersForPrometheus() throws Exception {
        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics).contains("vstream_memory_frames_accepted_total")
                .contains("vstream_memory_frames_dead_lettered_total{application=\"vstream-memory\",reason=\"duplicate-sequence\"}");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
