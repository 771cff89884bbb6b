package dev.vstream.memory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vstream.api.deadletter.DeadLetter;
import dev.vstream.api.frame.FrameEncoding;
import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.frame.FrameRecordCodec;
import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.MemorySnapshotCodec;
import dev.vstream.api.memory.SlotKind;
import dev.vstream.api.memory.TokenType;
import dev.vstream.api.topic.TopicProvisioner;
import dev.vstream.api.topic.Topics;
import dev.vstream.broker.KafkaBroker;
import dev.vstream.memory.intake.TestModels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

/**
 * The whole service with the tiny CLIP checkpoint as its model folder, against the real broker: frames become
 * F16 snapshots on vstream.memory, an image that does not decode is dead-lettered, readiness names the encoder,
 * and the memory meters are exported.
 */
@SpringBootTest(classes = MemoryApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {MemoryApplication.CONFIG_NAME,
            "vstream.memory.star.spatial-pool=4", "vstream.memory.star.temporal-pool=2",
            "vstream.memory.star.temporal-slots=3", "vstream.memory.star.abstract-slots=2",
            "vstream.memory.star.retrieved-frames=1", "vstream.memory.star.buffer-frames=5",
            "vstream.memory.star.attention-dim=8", "vstream.memory.compute-threads=1"})
class MemorySnapshotIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String CAM = "snapshot-cam-" + RUN;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) throws IOException {
        KafkaBroker broker = KafkaBroker.shared();
        TopicProvisioner.ensure(broker.bootstrapServers(), Topics.ALL);
        String stateDir = Files.createTempDirectory("vstream-memory-snapshot-it-").toString();
        registry.add("spring.kafka.bootstrap-servers", broker::bootstrapServers);
        registry.add("vstream.memory.application-id", () -> "vstream-memory-snapshot-it-" + RUN);
        registry.add("vstream.memory.state-dir", () -> stateDir);
        registry.add("vstream.memory.commit-interval", () -> "100ms");
        registry.add("vstream.memory.shutdown-timeout", () -> "10s");
        registry.add("vstream.memory.model-dir", () -> TestModels.clipTiny().toString());
    }

    @Test
    void framesBecomeSnapshotsOfTheStreamsMemory() throws Exception {
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200));
        assertThat(get("/actuator/health/readiness").body()).contains("\"memoryModel\"").contains("\"clip_tiny\"")
                .contains("seeded random");

        byte[] notAnImage = FrameRecordCodec.encode(new FrameRecord(CAM, 2, 2_000_000, 64, 64, FrameEncoding.JPEG,
                new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC0, 0, 17, 8, 0, 64, 0, 64, 3, 1, 0x11, 0,
                    2, 0x11, 0, 3, 0x11, 0, (byte) 0xFF, (byte) 0xD9}));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] value : List.of(TestModels.frame(CAM, 0), TestModels.frame(CAM, 1), notAnImage, TestModels.frame(CAM, 3))) {
                producer.send(new ProducerRecord<>(Topics.FRAMES.name(), CAM.getBytes(UTF_8), value)).get();
            }
        }

        List<MemorySnapshot> snapshots = read(Topics.MEMORY.name(), 3).stream().map(r -> {
            try {
                return MemorySnapshotCodec.decode(CAM, r.value());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(snapshots).extracting(MemorySnapshot::version).containsExactly(1L, 2L, 3L);
        MemorySnapshot last = snapshots.getLast();
        assertThat(last.newestPtsMicros()).isEqualTo(3_000_000L);
        assertThat(last.tokenType()).isEqualTo(TokenType.F16);
        assertThat(last.encoderName()).isEqualTo("clip_tiny");
        assertThat(last.channels()).isEqualTo(64);
        assertThat(last.count(SlotKind.STAR_SPATIAL)).isEqualTo(16);

        List<ConsumerRecord<byte[], byte[]>> letters = read(Topics.FRAMES_DLQ.name(), 1);
        assertThat(letters.getFirst().value()).isEqualTo(notAnImage);
        assertThat(DeadLetter.from(letters.getFirst().headers()).reason()).startsWith("JPEG does not decode");

        String metrics = get("/actuator/prometheus").body();
        // at least ours: a new application id reads vstream.frames from the start, other tests' frames included
        assertThat(metrics).containsPattern("vstream_memory_frames_updated_total\\{[^}]*} [1-9]");
        assertThat(metrics).contains("vstream_memory_update_latency_seconds{").contains("quantile=\"0.99\"");
        assertThat(metrics).contains("vstream_memory_state_bytes");
        assertThat(metrics).contains("records_lag");
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int count) {
        List<ConsumerRecord<byte[], byte[]>> ours = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "snapshot-it-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(TIMEOUT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() != null && CAM.equals(new String(r.key(), UTF_8))) {
                        ours.add(r);
                    }
                }
                return ours.size() >= count;
            });
        }
        assertThat(ours).hasSize(count);
        return ours;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
