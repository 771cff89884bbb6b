package dev.vstream.qa;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A model folder that does not exist: the service stays up, health is DOWN, every question gets 503. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {QaApplication.CONFIG_NAME, "vstream.qa.model-dir=/srv/models/phi-4-mini-flash",
                "spring.kafka.bootstrap-servers=localhost:1", "vstream.qa.kafka-questions=false"})
class QaApplicationTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    QaProperties properties;

    @Test
    void contextLoadsAndBindsItsProperties() {
        assertThat(properties.modelDir()).isEqualTo(Path.of("/srv/models/phi-4-mini-flash"));
        assertThat(properties.maxTokensLimit()).isEqualTo(512);
        assertThat(properties.apiKey()).isNull();
    }

    @Test
    void probesAndPrometheusAreServed() throws Exception {
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        HttpResponse<String> prometheus = get("/actuator/prometheus");
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("jvm_memory_used_bytes");
    }

    @Test
    void modelThatFailedToLoadIsDownAndEveryQuestionGets503() throws Exception {
        HttpResponse<String> health = get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("languageModel").contains("no such checkpoint folder");
        for (int attempt = 0; attempt < 2; attempt++) {
            HttpResponse<String> response = post("/v1/streams/cam-1/questions", "{\"question\":\"what is on screen?\"}");
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.body()).contains("urn:vstream:problem:model-unavailable");
        }
        assertThat(post("/v1/chat/completions", "{\"model\":\"m\",\"vstream_stream_id\":\"cam-1\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(503);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
