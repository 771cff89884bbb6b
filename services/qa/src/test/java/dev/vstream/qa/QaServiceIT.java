package dev.vstream.qa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.TestSnapshots;
import dev.vstream.api.memory.MemorySnapshotCodec;
import dev.vstream.api.question.AnswerCodec;
import dev.vstream.api.question.AnswerRecord;
import dev.vstream.api.question.QuestionCodec;
import dev.vstream.api.question.QuestionRecord;
import dev.vstream.api.question.QuestionRequest;
import dev.vstream.api.topic.TopicProvisioner;
import dev.vstream.api.topic.Topics;
import dev.vstream.broker.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The QA service against the real broker with the generated demo model: memory snapshots published on
 * vstream.memory, questions over REST (sync, async, SSE, OpenAI chat, streamed chat) and over Kafka; the versions
 * in the answers are those of the snapshot newest at each question's time.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = QaApplication.CONFIG_NAME)
class QaServiceIT {
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final int VISION = 32;
    static final ObjectMapper JSON = JsonMapper.builder().build();
    static KafkaProducer<String, byte[]> producer;

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        KafkaBroker broker = KafkaBroker.shared();
        TopicProvisioner.ensure(broker.bootstrapServers(), Topics.ALL);
        registry.add("spring.kafka.bootstrap-servers", broker::bootstrapServers);
        registry.add("spring.kafka.consumer.auto-offset-reset", () -> "earliest");
        registry.add("vstream.qa.group-id", () -> "vstream-qa-it-" + RUN);
        registry.add("vstream.qa.demo-dir", () -> "target/qa-it/demo");
        registry.add("vstream.qa.demo-vision-width", () -> VISION);
        registry.add("vstream.qa.default-max-tokens", () -> 8);
    }

    @BeforeAll
    static void producer() {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.shared().bootstrapServers(), ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    static MemorySnapshot snapshot(String stream, long version, int tokens) {
        return TestSnapshots.random(stream, version, System.currentTimeMillis(), tokens, VISION);
    }

    /** Publishes and returns the time Kafka stamped on the record. */
    static long publish(MemorySnapshot s) throws Exception {
        return producer.send(new ProducerRecord<>(Topics.MEMORY.name(), s.streamId(), MemorySnapshotCodec.encode(s)))
                .get().timestamp();
    }

    @Test
    void restAnswersFromTheNewestSnapshot() throws Exception {
        String stream = "it-rest-" + RUN;
        publish(snapshot(stream, 1, 10));
        HttpResponse<String> one = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> ask(stream, "{\"question\":\"what is there?\"}"), r -> r.statusCode() == 200);
        JsonNode a1 = JSON.readTree(one.body());
        assertThat(a1.get("memoryVersion").asLong()).isEqualTo(1);
        assertThat(a1.get("contextVersion").asLong()).isEqualTo(1);
        assertThat(a1.get("fallbackPrefill").asBoolean()).isTrue();
        assertThat(a1.get("untrainedModel").asBoolean()).isTrue();
        assertThat(a1.get("memoryTokens").asInt()).isEqualTo(10);
        assertThat(a1.get("generatedTokens").asInt()).isBetween(0, 8);
        assertThat(a1.get("newestFramePtsMicros").asLong()).isEqualTo(1_000_000);
        assertThat(a1.get("timeToFirstTokenMs").asDouble()).isPositive();

        publish(snapshot(stream, 2, 12));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(
                () -> JSON.readTree(ask(stream, "{\"question\":\"and now?\"}").body()).get("memoryVersion").asLong() == 2);
        HttpResponse<String> two = ask(stream, "{\"question\":\"and now?\",\"maxTokens\":4,\"temperature\":0.8,\"topP\":0.9,\"seed\":3}");
        JsonNode a2 = JSON.readTree(two.body());
        assertThat(a2.get("memoryVersion").asLong()).isEqualTo(2);
        assertThat(a2.get("memoryTokens").asInt()).isEqualTo(12);
        assertThat(a2.get("generatedTokens").asInt()).isBetween(0, 4);

        // async: 202 + Location, then poll
        HttpResponse<String> accepted = send(HttpRequest.newBuilder(uri("/v1/streams/" + stream + "/questions?async=true"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"async?\"}"))
                .header("Content-Type", "application/json").build());
        assertThat(accepted.statusCode()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();
        JsonNode done = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> JSON.readTree(send(HttpRequest.newBuilder(uri(location)).build()).body()),
                        n -> n.get("status").asString().equals("DONE"));
        assertThat(done.get("answer").get("memoryVersion").asLong()).isEqualTo(2);

        // SSE tokens, then the full answer
        HttpResponse<String> sse = send(HttpRequest.newBuilder(uri("/v1/streams/" + stream + "/questions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"stream it\",\"maxTokens\":6}"))
                .header("Content-Type", "application/json").header("Accept", "text/event-stream").build());
        assertThat(sse.statusCode()).isEqualTo(200);
        assertThat(sse.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        assertThat(sse.body()).contains("event:answer").contains("\"memoryVersion\":2");

        // a stream whose memory holds nothing: 409
        String empty = "it-empty-" + RUN;
        publish(snapshot(empty, 1, 0));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ask(empty, "{\"question\":\"x\"}").statusCode() == 409);
        assertThat(ask("it-never-" + RUN, "{\"question\":\"x\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void openAiChatCompletions() throws Exception {
        String stream = "it-chat-" + RUN;
        publish(snapshot(stream, 1, 8));
        String body = "{\"model\":\"vstream-demo\",\"vstream_stream_id\":\"" + stream + "\",\"max_tokens\":5,"
                + "\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"what?\"}]}";
        HttpResponse<String> response = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> post("/v1/chat/completions", body), r -> r.statusCode() == 200);
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.get("object").asString()).isEqualTo("chat.completion");
        assertThat(json.get("choices").get(0).get("message").get("role").asString()).isEqualTo("assistant");
        assertThat(json.get("usage").get("completion_tokens").asInt()).isBetween(0, 5);
        assertThat(json.get("vstream").get("memoryVersion").asLong()).isEqualTo(1);

        HttpResponse<String> streamed = post("/v1/chat/completions", body.replace("\"max_tokens\":5",
                "\"max_tokens\":5,\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        assertThat(streamed.statusCode()).isEqualTo(200);
        List<String> data = streamed.body().lines().filter(l -> l.startsWith("data:")).map(l -> l.substring(5).trim()).toList();
        assertThat(data.getLast()).isEqualTo("[DONE]");
        JsonNode firstChunk = JSON.readTree(data.getFirst());
        assertThat(firstChunk.get("object").asString()).isEqualTo("chat.completion.chunk");
        assertThat(firstChunk.get("choices").get(0).get("delta").get("role").asString()).isEqualTo("assistant");
        JsonNode usage = JSON.readTree(data.get(data.size() - 2));
        assertThat(usage.get("usage").get("total_tokens").asInt()).isPositive();

        String metrics = send(HttpRequest.newBuilder(uri("/actuator/prometheus")).build()).body();
        assertThat(metrics).contains("vstream_qa_fallback_prefills_total").contains("vstream_qa_context_resolved_total")
                .contains("vstream_qa_queue_depth")
                .contains("outcome=\"answered\"").contains("vstream_qa_time_to_first_token_seconds_count")
                .contains("vstream_qa_memory_streams");
    }

    @Test
    void kafkaQuestionsAreAnsweredFromTheSnapshotNewestAtTheirTime() throws Exception {
        String stream = "it-kafka-" + RUN;
        long t1 = publish(snapshot(stream, 1, 6));
        Thread.sleep(5); // two distinct Kafka timestamps (ms) for the two versions
        long t2 = publish(snapshot(stream, 2, 6));
        assertThat(t2).isGreaterThan(t1);
        Map<String, Long> expected = new HashMap<>();
        expected.put("between-" + RUN, 1L);
        expected.put("after-" + RUN, 2L);
        try (KafkaConsumer<String, byte[]> answers = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "qa-it-answers-" + RUN,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            answers.subscribe(List.of(Topics.ANSWERS.name()));
            // Wait until the service knows version 2, so the first question could only be answered with 1 by time.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(
                    () -> ask(stream, "{\"question\":\"ready?\"}").body().contains("\"memoryVersion\":2"));
            question("between-" + RUN, stream, t2 - 1);
            question("after-" + RUN, stream, System.currentTimeMillis());
            question("unknown-" + RUN, "it-none-" + RUN, System.currentTimeMillis());
            Map<String, AnswerRecord> got = new HashMap<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (var r : answers.poll(Duration.ofMillis(200))) {
                    AnswerRecord a = AnswerCodec.decode(r.value());
                    if (a.questionId().endsWith(RUN)) {
                        got.put(a.questionId(), a);
                    }
                }
                return got.size() == 3;
            });
            for (var e : expected.entrySet()) {
                AnswerRecord.Answered a = (AnswerRecord.Answered) got.get(e.getKey());
                assertThat(a.report().memoryVersion()).as(e.getKey()).isEqualTo(e.getValue());
                assertThat(a.streamId()).isEqualTo(stream);
            }
            assertThat(((AnswerRecord.Rejected) got.get("unknown-" + RUN)).status()).isEqualTo(404);
        }
    }

    private static void question(String id, String stream, long at) throws Exception {
        producer.send(new ProducerRecord<>(Topics.QUESTIONS.name(), stream, QuestionCodec.encode(
                new QuestionRecord(id, stream, at, new QuestionRequest("what happened?", 4, null, null, null, null, null)))))
                .get();
    }

    private HttpResponse<String> ask(String stream, String body) throws Exception {
        return post("/v1/streams/" + stream + "/questions", body);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
