package dev.vstream.memory;

import static dev.vstream.memory.intake.TestFrames.frame;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vstream.api.topic.TopicProvisioner;
import dev.vstream.api.topic.Topics;
import dev.vstream.broker.KafkaBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two instances of the memory service share the frames' partitions; each answers for the streams it owns and
 * sends a client on (307) to the other instance for the rest, as the StatefulSet in k8s/ runs it.
 */
class IntakeOwnershipIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Duration TIMEOUT = Duration.ofSeconds(150);
    private static final List<String> STREAMS = IntStream.range(0, 12).mapToObj(i -> "own-" + RUN + "-" + i).toList();

    private static ConfigurableApplicationContext first;
    private static ConfigurableApplicationContext second;
    private static int firstPort;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final JsonMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void startTwoInstances() throws IOException {
        KafkaBroker broker = KafkaBroker.shared();
        TopicProvisioner.ensure(broker.bootstrapServers(), Topics.ALL);
        firstPort = freePort();
        first = start(broker, firstPort);
        second = start(broker, freePort());
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
    }

    @Test
    void eachStreamIsServedByItsOwnerAndTheOtherInstanceRedirects() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String stream : STREAMS) {
                for (long sequence = 0; sequence < 3; sequence++) {
                    producer.send(new ProducerRecord<>(Topics.FRAMES.name(), stream.getBytes(UTF_8), frame(stream, sequence)));
                }
            }
        }

        AtomicInteger redirected = new AtomicInteger();
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            redirected.set(0);
            for (String stream : STREAMS) {
                HttpResponse<String> response = get(URI.create("http://localhost:" + firstPort + "/v1/streams/" + stream + "/intake"));
                if (response.statusCode() == 307) {
                    URI owner = URI.create(response.headers().firstValue("Location").orElseThrow());
                    assertThat(owner.getPort()).isNotEqualTo(firstPort);
                    assertThat(owner.getPath()).isEqualTo("/v1/streams/" + stream + "/intake");
                    response = get(owner);
                    redirected.incrementAndGet();
                }
                assertThat(response.statusCode()).as(stream + ": " + response.body()).isEqualTo(200);
                assertThat(json.readTree(response.body()).get("framesAccepted").asLong()).isEqualTo(3);
            }
            assertThat(redirected.get()).as("streams owned by the second instance").isPositive();
        });
        assertThat(redirected.get()).isLessThan(STREAMS.size());
    }

    /** Settings as command-line arguments: they outrank memory.yaml (builder properties would not). */
    private static ConfigurableApplicationContext start(KafkaBroker broker, int port) throws IOException {
        return new SpringApplicationBuilder(MemoryApplication.class).properties(MemoryApplication.CONFIG_NAME).run(
                "--server.port=" + port,
                "--spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "--vstream.memory.application-id=vstream-memory-own-" + RUN,
                "--vstream.memory.state-dir=" + Files.createTempDirectory("vstream-memory-own-"),
                "--vstream.memory.application-server=localhost:" + port,
                "--vstream.memory.commit-interval=100ms",
                "--vstream.memory.shutdown-timeout=10s");
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
