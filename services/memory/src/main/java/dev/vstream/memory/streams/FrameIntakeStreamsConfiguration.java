package dev.vstream.memory.streams;

import dev.vstream.api.topic.Topics;
import dev.vstream.memory.MemoryProperties;
import dev.vstream.memory.context.MemoryContexts;
import dev.vstream.memory.intake.DeadLetterLog;
import dev.vstream.memory.intake.FrameIntakeTopology;
import dev.vstream.memory.encoder.MemoryModel;
import dev.vstream.memory.intake.IntakeMetrics;
import dev.vstream.memory.intake.MemoryMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the frame intake topology into a Kafka Streams client configured from {@link MemoryProperties}. */
@Configuration(proxyBeanMethods = false)
class FrameIntakeStreamsConfiguration {
    private static final Logger log = LoggerFactory.getLogger(FrameIntakeStreamsConfiguration.class);

    /** Loaded once at start-up; a missing or broken model leaves the service up without memories. */
    @Bean
    MemoryModel memoryModel(MemoryProperties memory) {
        return MemoryModel.load(memory.modelDir(), memory.star().sizes(), memory.snapshotTokens(), memory.kernels(),
                memory.computeThreads(), FrameIntakeTopology.MAX_MEMORY_STATE_BYTES);
    }

    @Bean
    FrameIntakeStreams frameIntakeStreams(KafkaProperties kafka, MemoryProperties memory, MemoryModel model,
                                          MemoryContexts contexts, MeterRegistry registry,
                                          ApplicationEventPublisher events) {
        log.info("Frame intake: application id {}, state dir {}, {} stream thread(s), model dir {} ({}), idle timeout {}",
                memory.applicationId(), memory.stateDir(), memory.streamThreads(), memory.modelDir(),
                model instanceof MemoryModel.Loaded ? "memory model loaded" : "no memory model", memory.idleTimeout());
        return new FrameIntakeStreams(
                FrameIntakeTopology.build(new IntakeMetrics(registry), new DeadLetterLog(memory.deadLetterLogInterval()),
                        model, new MemoryMetrics(registry), memory.idleTimeout(), memory.expiryCheckInterval(),
                        FrameIntakeTopology.DEFAULT_LIVE_MEMORIES_PER_TASK, contexts),
                streamsConfig(kafka, memory), memory.shutdownTimeout(), registry, events);
    }

    @Bean
    KafkaStreamsHealthIndicator kafkaStreamsHealthIndicator(FrameIntakeStreams streams) {
        return new KafkaStreamsHealthIndicator(streams);
    }

    @Bean
    MemoryModelHealthIndicator memoryModelHealthIndicator(MemoryModel model) {
        return new MemoryModelHealthIndicator(model);
    }

    @Bean
    FrameIntakeQuery frameIntakeQuery(FrameIntakeStreams streams, MemoryProperties memory) {
        return new FrameIntakeQuery(streams,
                memory.applicationServer() == null ? null : HostInfo.buildFromEndpoint(memory.applicationServer()));
    }

    /**
     * Spring's {@code spring.kafka.*} settings (bootstrap servers, security, {@code spring.kafka.streams.properties.*})
     * with this service's own on top.
     */
    static Properties streamsConfig(KafkaProperties kafka, MemoryProperties memory) {
        Properties config = new Properties();
        config.putAll(kafka.buildStreamsProperties());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, memory.applicationId());
        config.put(StreamsConfig.STATE_DIR_CONFIG, memory.stateDir().toString());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, memory.streamThreads());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, memory.commitInterval().toMillis());
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, memory.replicationFactor());
        // A dead letter is as large as the record that came in, up to the frames topic's limit, and a stream's memory
        // state (changelog) and snapshot are larger still: not the 1 MiB default. The buffer must hold a whole record.
        int largest = Math.max(Topics.FRAMES_DLQ.maxMessageBytes(),
                Math.max(Topics.MEMORY.maxMessageBytes(), FrameIntakeTopology.MAX_MEMORY_STATE_BYTES)) + 64 * 1024;
        config.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), largest);
        config.put(StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG), 2L * largest);
        // The topology reads raw bytes and dead-letters in its processor, so deserialization cannot fail there;
        // should a future source with a real deserializer fail, skip and log the record rather than stop every stream.
        config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        if (memory.applicationServer() != null) {
            config.put(StreamsConfig.APPLICATION_SERVER_CONFIG, memory.applicationServer());
        }
        return config;
    }
}
