package dev.vstream.memory;

import static dev.vstream.memory.intake.TestFrames.frame;
import static dev.vstream.memory.intake.TestFrames.jpeg;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vstream.api.deadletter.DeadLetter;
import dev.vstream.api.frame.FrameRecordCodec;
import dev.vstream.api.topic.TopicProvisioner;
import dev.vstream.api.topic.Topics;
import dev.vstream.broker.KafkaBroker;
import dev.vstream.memory.intake.TestFrames;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The memory service against a real KRaft broker: a plain producer publishes valid and malformed records;
 * the malformed ones reach the dead-letter topic unchanged with their reasons, the valid ones are counted
 * in the intake store and served over HTTP.
 */
@SpringBootTest(classes = MemoryApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = MemoryApplication.CONFIG_NAME)
class FrameIntakeIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String CAM = "it-cam-" + RUN;
    private static final String OTHER_CAM = "it-other-" + RUN;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) throws IOException {
        KafkaBroker broker = KafkaBroker.shared();
        TopicProvisioner.ensure(broker.bootstrapServers(), Topics.ALL);
        String stateDir = Files.createTempDirectory("vstream-memory-it-").toString();
        registry.add("spring.kafka.bootstrap-servers", broker::bootstrapServers);
        registry.add("vstream.memory.application-id", () -> "vstream-memory-it-" + RUN);
        registry.add("vstream.memory.state-dir", () -> stateDir);
        registry.add("vstream.memory.commit-interval", () -> "100ms");
        registry.add("vstream.memory.shutdown-timeout", () -> "10s");
    }

    @Test
    void malformedRecordsAreDeadLetteredAndValidFramesCounted() throws Exception {
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200));

        byte[] garbage = "not a frame at all, just some bytes long enough to pass the length check".getBytes(UTF_8);
        byte[] wrongKey = frame(OTHER_CAM, 0);
        byte[] truncated = frame(CAM, 3, 64, 48, TestFrames.truncatedJpeg(64, 48));
        byte[] wrongSize = frame(CAM, 3, 32, 32, jpeg(64, 48));
        byte[] duplicate = frame(CAM, 2);
        byte[] large = new byte[3 * 1024 * 1024]; // past the 1 MiB producer default: the DLQ must still take it
        Arrays.fill(large, (byte) 7);
        System.arraycopy(FrameRecordCodec.MAGIC, 0, large, 0, 4);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            send(producer, CAM, frame(CAM, 0));
            send(producer, CAM, frame(CAM, 1));
            send(producer, CAM, garbage);
            send(producer, CAM, wrongKey);
            send(producer, CAM, frame(CAM, 2));
            send(producer, CAM, truncated);
            send(producer, CAM, wrongSize);
            send(producer, CAM, duplicate);
            send(producer, CAM, large);
            send(producer, CAM, frame(CAM, 3));
            send(producer, null, frame(OTHER_CAM, 0));
            send(producer, OTHER_CAM, frame(OTHER_CAM, 0));
            producer.flush();
        }

        Map<String, byte[]> expected = new java.util.LinkedHashMap<>();
        expected.put("bad magic: not a vstream frame record", garbage);
        expected.put("record key '" + CAM + "' differs from stream id '" + OTHER_CAM + "'", wrongKey);
        expected.put("JPEG is truncated (no EOI marker at the end)", truncated);
        expected.put("declared size 32x32 but the JPEG is 64x48", wrongSize);
        expected.put("duplicate sequence 2 of stream '" + CAM + "': already accepted", duplicate);
        expected.put("unsupported schema version 7 (this reader knows 1)", large);
        expected.put("record key 'null' differs from stream id '" + OTHER_CAM + "'", frame(OTHER_CAM, 0));
        List<ConsumerRecord<byte[], byte[]>> letters = readDeadLetters(expected.size());
        assertThat(letters).extracting(r -> DeadLetter.from(r.headers()).reason())
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (ConsumerRecord<byte[], byte[]> letter : letters) {
            DeadLetter dl = DeadLetter.from(letter.headers());
            assertThat(dl.sourceTopic()).isEqualTo(Topics.FRAMES.name());
            assertThat(dl.sourceOffset()).isNotNegative();
            assertThat(letter.value()).as(dl.reason()).isEqualTo(expected.get(dl.reason()));
        }

        await().atMost(TIMEOUT).untilAsserted(() -> {
            JsonNode intake = json.readTree(get("/v1/streams/" + CAM + "/intake").body());
            assertThat(intake.get("framesAccepted").asLong()).isEqualTo(4);
            assertThat(intake.get("framesRejected").asLong()).isEqualTo(1);
            assertThat(intake.get("lastSequence").asLong()).isEqualTo(3);
            assertThat(intake.get("lastPtsMicros").asLong()).isEqualTo(3_000_000);
        });
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
                json.readTree(get("/v1/streams/" + OTHER_CAM + "/intake").body()).get("framesAccepted").asLong()).isEqualTo(1));

        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics).containsPattern("vstream_memory_frames_dead_lettered_total\\{[^}]*reason=\"malformed\"[^}]*} [1-9]");
        assertThat(metrics).containsPattern("vstream_memory_frames_accepted_total\\{[^}]*} [1-9]");
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownStreamIsA404ProblemDetail() throws Exception {
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200));

        HttpResponse<String> response = get("/v1/streams/never-seen-" + RUN + "/intake");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(404);
        assertThat(problem.get("title").asString()).isEqualTo("Unknown stream");
    }

    private List<ConsumerRecord<byte[], byte[]>> readDeadLetters(int count) {
        Set<String> keys = Set.of(CAM, OTHER_CAM);
        List<ConsumerRecord<byte[], byte[]>> ours = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.FRAMES_DLQ.name()));
            await().atMost(TIMEOUT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    boolean fromThisRun = r.key() == null ? new String(r.value(), UTF_8).contains(RUN)
                            : keys.contains(new String(r.key(), UTF_8));
                    if (fromThisRun) {
                        ours.add(r);
                    }
                }
                return ours.size() >= count;
            });
        }
        assertThat(ours).hasSize(count);
        return ours;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.FRAMES.maxMessageBytes()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(Topics.FRAMES.name(), key == null ? null : key.getBytes(UTF_8), value)).get();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
