package dev.vstream.ingest.publish;

import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.frame.FrameRecordSerde;
import dev.vstream.api.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One idempotent producer shared by all streams (the Kafka norm: it batches per partition), writing
 * {@link FrameRecord}s keyed by stream id to {@code vstream.frames}. Ordering per stream holds because a
 * stream's frames share a key, hence a partition, and idempotence keeps retries in order.
 */
public final class KafkaFramePublisher implements FramePublisher, AutoCloseable {
    private final Producer<String, FrameRecord> producer;
    private final String topic = Topics.FRAMES.name();

    public KafkaFramePublisher(Producer<String, FrameRecord> producer) {
        this.producer = producer;
    }

    /**
     * The producer settings ingest depends on, laid over Spring's {@code spring.kafka.*} ones: acks=all and
     * idempotence (no loss, no duplicates, order kept across retries), requests large enough for the largest
     * frame the topic accepts, and a buffer that holds at least two of those.
     */
    public static Map<String, Object> producerConfig(Map<String, Object> springKafka, Duration linger) {
        Map<String, Object> config = new HashMap<>(springKafka);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.FRAMES.maxMessageBytes());
        Object configured = config.get(ProducerConfig.BUFFER_MEMORY_CONFIG);
        long buffer = configured == null ? 0 : Long.parseLong(configured.toString().strip());
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(buffer, 4L * Topics.FRAMES.maxMessageBytes()));
        config.put(ProducerConfig.LINGER_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, linger.toMillis()));
        // JPEG does not compress further; spending CPU on it would only slow the reader threads.
        config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        // The serializers are passed as instances (String key, FrameRecordCodec value), never taken from config.
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        return config;
    }

    public static KafkaFramePublisher create(Map<String, Object> springKafka, Duration linger) {
        return new KafkaFramePublisher(new KafkaProducer<>(producerConfig(springKafka, linger), new StringSerializer(),
                new FrameRecordSerde().serializer()));
    }

    @Override
    public void publish(FrameRecord frame, Consumer<Exception> onCompletion) {
        try {
            producer.send(new ProducerRecord<>(topic, frame.streamId(), frame), (metadata, error) -> onCompletion.accept(error));
        } catch (KafkaException | IllegalStateException e) {
            // send() throws for what it finds before queueing (metadata timeout, oversized record, closed producer).
            onCompletion.accept(e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
