package dev.vstream.qa.kafka;

import dev.vstream.api.frame.MalformedRecordException;
import dev.vstream.api.question.AnswerCodec;
import dev.vstream.api.question.AnswerRecord;
import dev.vstream.api.question.AnswerReport;
import dev.vstream.api.question.QuestionCodec;
import dev.vstream.api.question.QuestionRecord;
import dev.vstream.api.topic.Topics;
import dev.vstream.qa.answer.AnswerEngine;
import dev.vstream.qa.answer.Question;
import dev.vstream.qa.answer.QuestionRejectedException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Questions from {@code vstream.questions} (consumer group {@code vstream.qa.group-id}) answered on
 * {@code vstream.answers} with the question id, keyed by stream id. Each question is answered from the memory
 * snapshot newest at its {@code askedAtMs}; one that cannot be answered gets an {@link AnswerRecord.Rejected}
 * with the status the REST API would give. Offsets are committed after the answers of a poll are acknowledged
 * (at least once: a crash may answer a question twice, with the same question id). An undecodable question has
 * no id to answer to: it is logged and skipped.
 */
public final class QuestionConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QuestionConsumer.class);

    private final AnswerEngine engine;
    private final Map<String, Object> consumerConfig;
    private final Map<String, Object> producerConfig;
    private final Duration answerTimeout;
    private final Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean closed;

    public QuestionConsumer(AnswerEngine engine, Map<String, Object> consumerConfig, Map<String, Object> producerConfig,
                            String groupId, Duration answerTimeout) {
        this.engine = engine;
        Properties c = new Properties();
        c.putAll(consumerConfig);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // Questions are answered one by one between polls: a poll's worth must fit the poll interval.
        int perPoll = 4;
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, perPoll);
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                (int) Math.min(Integer.MAX_VALUE, Math.max(300_000L, perPoll * answerTimeout.toMillis() + 60_000L)));
        this.consumerConfig = Map.copyOf(toMap(c));
        Properties p = new Properties();
        p.putAll(producerConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producerConfig = Map.copyOf(toMap(p));
        this.answerTimeout = answerTimeout;
        this.thread = Thread.ofPlatform().name("qa-questions").daemon().unstarted(this::run);
    }

    private static Map<String, Object> toMap(Properties p) {
        return p.entrySet().stream().collect(java.util.stream.Collectors.toMap(e -> (String) e.getKey(), Map.Entry::getValue));
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                     new ByteArraySerializer())) {
            consumer = c;
            if (closed) {
                return;
            }
            c.subscribe(List.of(Topics.QUESTIONS.name()));
            log.info("Answering questions from {} on {}", Topics.QUESTIONS.name(), Topics.ANSWERS.name());
            while (!closed) {
                var records = c.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> r : records) {
                    AnswerRecord answer = answer(r);
                    if (answer != null) {
                        producer.send(new ProducerRecord<>(Topics.ANSWERS.name(), answer.streamId(),
                                AnswerCodec.encode(answer)));
                    }
                }
                if (!records.isEmpty()) {
                    producer.flush();
                    c.commitSync();
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                log.error("Question consumer stopped unexpectedly", e);
            }
        } catch (RuntimeException e) {
            log.error("Question consumer stopped: {}", e.toString(), e);
        }
    }

    private AnswerRecord answer(ConsumerRecord<String, byte[]> r) {
        QuestionRecord q;
        try {
            q = QuestionCodec.decode(r.key(), r.value());
        } catch (MalformedRecordException e) {
            log.warn("Skipping an undecodable question at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                    e.getMessage());
            return null;
        }
        try {
            AnswerReport report = engine.submit(new Question(q.questionId(), q.streamId(), q.request(), q.askedAtMs()),
                    text -> { }).get(answerTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return new AnswerRecord.Answered(report);
        } catch (QuestionRejectedException e) {
            int status = switch (e.reason()) {
                case UNKNOWN_STREAM -> 404;
                case NO_MEMORY -> 409;
                case LIMIT -> 400;
                case MODEL_UNAVAILABLE, BUSY -> 503;
            };
            return new AnswerRecord.Rejected(q.questionId(), q.streamId(), status, e.reason().name(), e.getMessage());
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return new AnswerRecord.Rejected(q.questionId(), q.streamId(), 500, "FAILED", String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        thread.join(Duration.ofSeconds(10));
    }
}
