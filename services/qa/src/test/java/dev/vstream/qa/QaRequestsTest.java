package dev.vstream.qa;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The demo model, no broker: request checks, limits and the API key. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {QaApplication.CONFIG_NAME, "vstream.qa.demo-dir=target/qa-requests-test/demo",
                "vstream.qa.demo-vision-width=32", "vstream.qa.api-key=s3cret", "vstream.qa.max-question-chars=50",
                "vstream.qa.max-request-size=1KB", "spring.kafka.bootstrap-servers=localhost:1",
                "vstream.qa.kafka-questions=false"})
class QaRequestsTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Test
    void apiKeyIsNeededOnV1ButNotOnProbes() throws Exception {
        assertThat(post("/v1/streams/cam-1/questions", "{\"question\":\"hi\"}", null).statusCode()).isEqualTo(401);
        assertThat(post("/v1/streams/cam-1/questions", "{\"question\":\"hi\"}", "wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> bearer = http.send(HttpRequest.newBuilder(uri("/v1/streams/cam-1/questions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"hi\"}"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer s3cret").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bearer.statusCode()).isEqualTo(404);
        assertThat(http.send(HttpRequest.newBuilder(uri("/actuator/health/liveness")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownStreamIs404AndLimitsAre400And413() throws Exception {
        HttpResponse<String> unknown = post("/v1/streams/cam-1/questions", "{\"question\":\"hi\"}", "s3cret");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("urn:vstream:problem:stream-not-found").contains("cam-1");
        HttpResponse<String> unknownSse = http.send(HttpRequest.newBuilder(uri("/v1/streams/cam-1/questions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"hi\"}")).header("X-API-Key", "s3cret")
                .header("Content-Type", "application/json").header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknownSse.statusCode()).isEqualTo(404);
        assertThat(unknownSse.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        HttpResponse<String> longQuestion = post("/v1/streams/cam-1/questions",
                "{\"question\":\"" + "x".repeat(51) + "\"}", "s3cret");
        assertThat(longQuestion.statusCode()).isEqualTo(400);
        assertThat(post("/v1/streams/cam-1/questions", "{\"question\":\"hi\",\"maxTokens\":100000}", "s3cret")
                .statusCode()).isEqualTo(400);
        assertThat(post("/v1/streams/cam-1/questions", "{\"question\":\" \"}", "s3cret").statusCode()).isEqualTo(400);
        assertThat(post("/v1/streams/cam-1/questions", "{\"question\":", "s3cret").statusCode()).isEqualTo(400);
        assertThat(post("/v1/streams/bad%20id/questions", "{\"question\":\"hi\"}", "s3cret").statusCode()).isEqualTo(400);
        HttpResponse<String> large = post("/v1/streams/cam-1/questions",
                "{\"question\":\"" + "x".repeat(2000) + "\"}", "s3cret");
        assertThat(large.statusCode()).isEqualTo(413);
        assertThat(large.body()).contains("request-too-large");
        assertThat(post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "s3cret")
                .statusCode()).isEqualTo(400);
        assertThat(http.send(HttpRequest.newBuilder(uri("/v1/questions/nope")).header("X-API-Key", "s3cret").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> post(String path, String body, String key) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (key != null) {
            request.header("X-API-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
