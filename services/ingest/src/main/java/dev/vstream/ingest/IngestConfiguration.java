package dev.vstream.ingest;

import dev.vstream.api.topic.Topics;
import dev.vstream.ingest.ffmpeg.Ffmpeg;
import dev.vstream.ingest.ffmpeg.FfmpegException;
import dev.vstream.ingest.publish.KafkaFramePublisher;
import dev.vstream.ingest.stream.StreamRegistry;
import dev.vstream.ingest.stream.StreamSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires FFmpeg, the Kafka producer and the stream registry from {@link IngestProperties}. */
@Configuration(proxyBeanMethods = false)
public class IngestConfiguration {
    private static final Logger log = LoggerFactory.getLogger(IngestConfiguration.class);

    @Bean
    Ffmpeg.Natives ffmpeg(IngestProperties properties) throws FfmpegException {
        Ffmpeg.Natives natives = Ffmpeg.load(properties.ffmpegLogLevel());
        if (natives.devicesAvailable()) {
            log.info("FFmpeg {} loaded (JPEG by its mjpeg encoder; lavfi and v4l2 inputs available)", natives.version());
        } else {
            log.warn("FFmpeg {} loaded without input devices, lavfi and v4l2 sources will fail: {}", natives.version(),
                    natives.devicesProblem());
        }
        return natives;
    }

    @Bean(destroyMethod = "close")
    KafkaFramePublisher framePublisher(KafkaProperties kafka, IngestProperties properties) {
        return KafkaFramePublisher.create(kafka.buildProducerProperties(), properties.producerLinger());
    }

    @Bean(destroyMethod = "close")
    StreamRegistry streamRegistry(IngestProperties properties, KafkaFramePublisher publisher, MeterRegistry meters,
                                  Ffmpeg.Natives ffmpeg) {
        StreamSettings settings = new StreamSettings(properties.maxStreams(), properties.queueCapacity(), properties.sourceTimeout(),
                properties.reconnectBackoffInitial(), properties.reconnectBackoffMax(), properties.stopTimeout(), ffmpeg.devicesProblem());
        return new StreamRegistry(settings, publisher, meters);
    }

    /** Created by Spring Kafka's KafkaAdmin at start-up when missing; replication is the broker's default. */
    @Bean
    @ConditionalOnBooleanProperty(name = "vstream.ingest.create-topics", matchIfMissing = true)
    NewTopic framesTopic() {
        NewTopic topic = new NewTopic(Topics.FRAMES.name(), Optional.of(Topics.FRAMES.partitions()), Optional.empty());
        return topic.configs(Topics.FRAMES.kafkaConfigs());
    }
}
