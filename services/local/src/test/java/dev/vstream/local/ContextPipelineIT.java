package dev.vstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vstream.api.frame.FrameEncoding;
import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.frame.FrameRecordCodec;
import dev.vstream.api.question.AnswerCodec;
import dev.vstream.api.question.AnswerRecord;
import dev.vstream.api.question.AnswerReport;
import dev.vstream.api.question.QuestionCodec;
import dev.vstream.api.question.QuestionRecord;
import dev.vstream.api.question.QuestionRequest;
import dev.vstream.api.topic.TopicProvisioner;
import dev.vstream.api.topic.Topics;
import dev.vstream.broker.KafkaBroker;
import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.context.wire.ContextTag;
import dev.vstream.context.wire.PrefilledContextCodec;
import dev.vstream.memory.MemoryApplication;
import dev.vstream.model.demo.DemoCheckpoint;
import dev.vstream.model.demo.DemoVisionEncoder;
import dev.vstream.qa.QaApplication;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * The deployed split end to end on the real broker, each service its own application as in compose: frames in,
 * memory snapshots and prefilled contexts out of the memory service, questions over REST and over Kafka answered
 * by QA from the contexts it fetches over HTTP; then the memory service stops while questions keep coming (answers
 * from QA's own fallback prefill, flagged) and served contexts resume once it is back.
 */
class ContextPipelineIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String CAM = "context-cam-" + RUN;
    /** A stream QA is not asked about before the outage, so it holds no context of it. */
    private static final String QUIET = "context-quiet-" + RUN;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void framesBecomeContextsThatAnswerQuestionsOverRestAndKafkaAndSurviveAMemoryOutage(@TempDir Path dir)
            throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        TopicProvisioner.ensure(broker.bootstrapServers(), Topics.ALL);
        Path vision = DemoVisionEncoder.ensure(dir.resolve("vision"));
        Path lm = DemoCheckpoint.ensure(dir.resolve("lm"), DemoVisionEncoder.HIDDEN);
        int memoryPort = freePort();
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("spring.config.name", "memory");
        memory.put("server.port", memoryPort);
        memory.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
        memory.put("vstream.memory.application-id", "vstream-memory-context-it-" + RUN);
        memory.put("vstream.memory.state-dir", dir.resolve("memory-state").toString());
        memory.put("vstream.memory.commit-interval", "100ms");
        memory.put("vstream.memory.shutdown-timeout", "10s");
        memory.put("vstream.memory.model-dir", vision.toString());
        memory.put("vstream.memory.context.model-dir", lm.toString());
        memory.put("vstream.memory.context.compute-threads", 1);
        // The long window: served contexts read the newest 2 frames (64 tokens each at P_spa 8) after the memory.
        memory.put("vstream.memory.context.window-frames", 2);
        memory.put("vstream.memory.compute-threads", 1);
        // A restarted instance gets its partitions back once the old member's session ends (it does not leave).
        memory.put("spring.kafka.streams.properties.session.timeout.ms", 6000);
        Map<String, Object> qa = new LinkedHashMap<>();
        qa.put("spring.config.name", "qa");
        qa.put("server.port", 0);
        qa.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
        qa.put("vstream.qa.model-dir", lm.toString());
        qa.put("vstream.qa.memory-url", "http://localhost:" + memoryPort);
        qa.put("vstream.qa.context-retry-after", "500ms");
        qa.put("vstream.qa.group-id", "vstream-qa-context-it-" + RUN);
        qa.put("vstream.qa.compute-threads", 1);

        ConfigurableApplicationContext memoryService = start(MemoryApplication.class, memory);
        try (ConfigurableApplicationContext qaService = start(QaApplication.class, qa);
             KafkaProducer<String, byte[]> producer = producer(broker.bootstrapServers())) {
            String qaUrl = "http://localhost:" + qaService.getEnvironment().getRequiredProperty("local.server.port");

            // Frames 0..5: memory versions 1..6, each prefilled by the memory service.
            publish(producer, QUIET, 0, 3);
            publish(producer, CAM, 0, 6);
            PrefilledContext served = awaitContext(memoryPort, CAM, 6);
            assertThat(served.memoryVersion()).isEqualTo(6);
            assertThat(served.memoryTokens()).isPositive();
            assertThat(served.prefixTokens()).isGreaterThan(served.memoryTokens());
            HttpResponse<byte[]> unchanged = http.send(HttpRequest.newBuilder(contextUri(memoryPort, CAM, null))
                    .header("If-None-Match", new ContextTag(6, served.newestWallClockMs()).etag()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(unchanged.statusCode()).isEqualTo(304);

            // REST: the question sees the newest memory (6) and the context prefilled from it, fetched, not rebuilt.
            AnswerReport rest = await().atMost(TIMEOUT).until(() -> ask(qaUrl, CAM, "what is on screen?"),
                    a -> a != null && a.memoryVersion() == 6 && !a.fallbackPrefill());
            assertThat(rest.contextVersion()).isEqualTo(6);
            assertThat(rest.memoryTokens()).isEqualTo(served.memoryTokens());
            assertThat(rest.promptTokens()).isGreaterThan(served.prefixTokens());
            AnswerReport second = ask(qaUrl, CAM, "and what moves?");
            assertThat(second.contextReused()).as("the second question resumes the cached context").isTrue();
            assertThat(second.fallbackPrefill()).isFalse();

            // Kafka: a question on vstream.questions, its answer on vstream.answers, same versions.
            AnswerReport kafka = askOverKafka(broker.bootstrapServers(), producer);
            assertThat(kafka.memoryVersion()).isEqualTo(6);
            assertThat(kafka.contextVersion()).isEqualTo(6);
            assertThat(kafka.fallbackPrefill()).isFalse();

            // More frames: questions follow the newest memory; a context never runs ahead of the memory version.
            publish(producer, CAM, 6, 3);
            AnswerReport later = await().atMost(TIMEOUT).until(() -> ask(qaUrl, CAM, "what changed?"),
                    a -> a != null && a.memoryVersion() == 9 && a.contextVersion() == 9);
            assertThat(later.fallbackPrefill()).isFalse();

            // The memory service stops while questions arrive: they keep being answered. A stream whose context QA
            // holds is served from its cache; one it holds none of is prefilled by QA itself, flagged so.
            PrefilledContext quietServed = awaitContext(memoryPort, QUIET, 3);
            memoryService.close();
            AnswerReport cached = ask(qaUrl, CAM, "still there?");
            assertThat(cached.fallbackPrefill()).isFalse();
            assertThat(cached.contextVersion()).isEqualTo(9);
            List<AnswerReport> duringOutage = new ArrayList<>();
            duringOutage.add(await().atMost(TIMEOUT).until(() -> ask(qaUrl, QUIET, "anything?"),
                    a -> a != null && a.memoryVersion() == 3));
            for (int i = 0; i < 2; i++) {
                duringOutage.add(ask(qaUrl, QUIET, "anything else? " + i));
            }
            assertThat(duringOutage).allSatisfy(a -> {
                assertThat(a.memoryVersion()).isEqualTo(3);
                assertThat(a.contextVersion()).isEqualTo(3);
                assertThat(a.fallbackPrefill()).isTrue();
            });
            assertThat(duringOutage.get(1).contextReused()).as("QA keeps its own prefill for the next question").isTrue();
            assertThat(quietServed.memoryTokens() - duringOutage.get(0).memoryTokens())
                    .as("the served context reads the long window after the memory, QA's own prefill the memory alone")
                    .isEqualTo(2 * 64);

            // Back: once the restarted instance has refreshed the stream's context, answers use it again.
            memoryService = start(MemoryApplication.class, memory);
            publish(producer, QUIET, 3, 1);
            AnswerReport resumed = await().atMost(TIMEOUT).until(() -> ask(qaUrl, QUIET, "back?"),
                    a -> a != null && a.memoryVersion() == 4 && !a.fallbackPrefill());
            assertThat(resumed.contextVersion()).isEqualTo(4);
        } finally {
            memoryService.close();
        }
    }

    private static ConfigurableApplicationContext start(Class<?> application, Map<String, Object> properties) {
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(application).logStartupInfo(false).registerShutdownHook(false).run(args);
    }

    private PrefilledContext awaitContext(int memoryPort, String stream, long version) {
        return await().atMost(TIMEOUT).until(() -> {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(contextUri(memoryPort, stream, version)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return response.statusCode() == 200 ? PrefilledContextCodec.decode(response.body()) : null;
        }, c -> c != null && c.memoryVersion() == version);
    }

    private static URI contextUri(int memoryPort, String stream, Long maxVersion) {
        return URI.create("http://localhost:" + memoryPort + "/internal/v1/streams/" + stream + "/context"
                + (maxVersion == null ? "" : "?max-version=" + maxVersion));
    }

    private AnswerReport ask(String qaUrl, String stream, String question) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(qaUrl + "/v1/streams/" + stream + "/questions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"" + question + "\",\"maxTokens\":3}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404 || response.statusCode() == 409) {
            return null; // the memory is not known to QA yet
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readValue(response.body(), AnswerReport.class);
    }

    private AnswerReport askOverKafka(String bootstrap, KafkaProducer<String, byte[]> producer) throws Exception {
        String id = "kq-" + RUN;
        try (KafkaConsumer<String, byte[]> answers = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "context-it-answers-" + RUN,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            answers.subscribe(List.of(Topics.ANSWERS.name()));
            producer.send(new ProducerRecord<>(Topics.QUESTIONS.name(), CAM, QuestionCodec.encode(new QuestionRecord(id,
                    CAM, System.currentTimeMillis(), new QuestionRequest("what is it?", 3, null, null, null, null,
                    null))))).get();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : answers.poll(Duration.ofMillis(500))) {
                    AnswerRecord answer = AnswerCodec.decode(record.value());
                    if (answer.questionId().equals(id)) {
                        assertThat(answer).isInstanceOf(AnswerRecord.Answered.class);
                        return ((AnswerRecord.Answered) answer).report();
                    }
                }
            }
            throw new AssertionError("no answer to " + id + " on " + Topics.ANSWERS.name());
        }
    }

    /** Frames {@code from .. from + count - 1}, one second of video apart, acknowledged. */
    private static void publish(KafkaProducer<String, byte[]> producer, String stream, int from, int count)
            throws Exception {
        for (int s = from; s < from + count; s++) {
            byte[] value = FrameRecordCodec.encode(new FrameRecord(stream, s, s * 1_000_000L, 224, 224,
                    FrameEncoding.JPEG, picture(s)));
            producer.send(new ProducerRecord<>(Topics.FRAMES.name(), stream, value)).get();
        }
    }

    /** A 224x224 picture that changes with the frame: a bar sweeping over a colour that drifts. */
    private static byte[] picture(int frame) throws IOException {
        BufferedImage image = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.getHSBColor(frame / 10f, 0.6f, 0.8f));
        g.fillRect(0, 0, 224, 224);
        g.setColor(Color.DARK_GRAY);
        g.fillRect(frame * 20 % 200, 0, 24, 224);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
