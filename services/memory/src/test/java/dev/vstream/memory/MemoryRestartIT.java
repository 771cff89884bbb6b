package dev.vstream.memory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.MemorySnapshotCodec;
import dev.vstream.api.memory.TokenType;
import dev.vstream.api.topic.TopicProvisioner;
import dev.vstream.api.topic.Topics;
import dev.vstream.broker.KafkaBroker;
import dev.vstream.memory.encoder.MemoryModel;
import dev.vstream.memory.intake.DeadLetterLog;
import dev.vstream.memory.intake.FrameIntakeTopology;
import dev.vstream.memory.intake.IntakeMetrics;
import dev.vstream.memory.intake.MemoryMetrics;
import dev.vstream.memory.intake.TestModels;
import dev.vstream.memory.snapshot.Snapshots;
import dev.vstream.memory.snapshot.StreamMemory;
import dev.vstream.memory.snapshot.StreamMemoryFrames;
import dev.vstream.memory.star.StarMemory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once memory across a crash, against the real KRaft broker: an instance is closed abruptly (no wait, no
 * leaving the group) while frames are being taken in; a second instance with an empty state directory restores the
 * memory (its core and frame entries) from the changelogs and takes the rest. The memory it ends with is byte for byte the one an uninterrupted
 * run makes of the same frames (computed in process, and by a third instance of another application id), and the committed snapshots are versions 1..N, each once: no frame was taken into
 * the memory twice, none was skipped.
 */
class MemoryRestartIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String CAM = "restart-cam-" + RUN;
    private static final int FRAMES = 16;
    private static final int BEFORE_KILL = 10;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Logger log = LoggerFactory.getLogger(MemoryRestartIT.class);

    private static MemoryModel.Loaded model;

    @BeforeAll
    static void start() {
        TopicProvisioner.ensure(KafkaBroker.shared().bootstrapServers(), Topics.ALL);
        model = TestModels.tinyModel(TokenType.F32);
    }

    @AfterAll
    static void stop() {
        model.close();
    }

    @Test
    void memoryResumesFromTheChangelogAsIfNeverInterrupted() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer();
             KafkaConsumer<byte[], byte[]> snapshots = snapshotConsumer()) {
            KafkaStreams first = streams(Files.createTempDirectory("vstream-memory-restart-a-"));
            first.start();
            for (int seq = 0; seq < BEFORE_KILL; seq++) {
                producer.send(new ProducerRecord<>(Topics.FRAMES.name(), CAM.getBytes(UTF_8), TestModels.frame(CAM, seq)));
            }
            producer.flush();
            List<MemorySnapshot> seen = new ArrayList<>();
            // Kill the first instance as soon as some, not all, of the frames sent so far are in its memory.
            await().atMost(TIMEOUT).until(() -> {
                poll(snapshots, seen);
                return !seen.isEmpty();
            });
            first.close(new KafkaStreams.CloseOptions().timeout(Duration.ZERO).leaveGroup(false));
            log.info("Killed the first instance with snapshot versions {} committed of {} frames sent",
                    seen.stream().map(MemorySnapshot::version).toList(), BEFORE_KILL);

            for (int seq = BEFORE_KILL; seq < FRAMES; seq++) {
                send(producer, seq);
            }
            KafkaStreams second = streams(Files.createTempDirectory("vstream-memory-restart-b-"));
            try {
                second.start();
                await().atMost(TIMEOUT).until(() -> {
                    poll(snapshots, seen);
                    return !seen.isEmpty() && seen.getLast().version() == FRAMES;
                });

                StarMemory uninterrupted = uninterruptedMemory();
                assertThat(seen).extracting(MemorySnapshot::version)
                        .as("committed snapshots: every frame taken in once, in order")
                        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, FRAMES).boxed().toList());
                StreamMemory restored = core(second);
                assertThat(restored.state()).as("memory core bytes").isEqualTo(uninterrupted.coreBytes());
                assertThat(stored(second, restored).toBytes())
                        .as("memory state bytes, restored from the core and frame entries").isEqualTo(uninterrupted.toBytes());
                MemorySnapshot last = seen.getLast();
                assertThat(last).isEqualTo(Snapshots.of(CAM, uninterrupted, restored, model.encoder().identity(),
                        TokenType.F32, uninterrupted.newTokens()));
                assertThat(last.newestPtsMicros()).isEqualTo((FRAMES - 1) * 1_000_000L);

                // The same frames through a service that is never interrupted (an application of its own).
                KafkaStreams uninterruptedRun = streams(Files.createTempDirectory("vstream-memory-restart-c-"),
                        "vstream-memory-uninterrupted-it-" + RUN);
                try {
                    uninterruptedRun.start();
                    List<MemorySnapshot> again = new ArrayList<>();
                    await().atMost(TIMEOUT).until(() -> {
                        poll(snapshots, again);
                        return !again.isEmpty() && again.getLast().version() == FRAMES;
                    });
                    assertThat(again.getLast()).isEqualTo(last);
                    assertThat(MemorySnapshotCodec.encode(again.getLast())).isEqualTo(MemorySnapshotCodec.encode(last));
                    StreamMemory uninterruptedCore = core(uninterruptedRun);
                    assertThat(uninterruptedCore.state()).isEqualTo(restored.state());
                    assertThat(stored(uninterruptedRun, uninterruptedCore).toBytes()).isEqualTo(uninterrupted.toBytes());
                } finally {
                    uninterruptedRun.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(10)).leaveGroup(true));
                }
            } finally {
                second.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(10)).leaveGroup(true));
            }
        }
    }

    /** The stream's memory core in the instance's store, once the store can be queried (not mid-rebalance). */
    private static StreamMemory core(KafkaStreams streams) {
        return await().atMost(TIMEOUT).ignoreExceptionsInstanceOf(InvalidStateStoreException.class).until(() -> {
            ReadOnlyKeyValueStore<String, StreamMemory> store = streams.store(StoreQueryParameters.fromNameAndType(
                    FrameIntakeTopology.MEMORY_STORE, QueryableStoreTypes.keyValueStore()));
            return store.get(CAM);
        }, java.util.Objects::nonNull);
    }

    /** The memory restored from {@code core} and the instance's frame entries, once its store can be queried. */
    private static StarMemory stored(KafkaStreams streams, StreamMemory core) {
        return await().atMost(TIMEOUT).ignoreExceptionsInstanceOf(InvalidStateStoreException.class).until(() -> {
            ReadOnlyKeyValueStore<String, byte[]> frames = streams.store(StoreQueryParameters.fromNameAndType(
                    FrameIntakeTopology.MEMORY_FRAMES_STORE, QueryableStoreTypes.keyValueStore()));
            return StreamMemoryFrames.restore(model.star(), model.attention(), core, frames, CAM);
        }, java.util.Objects::nonNull);
    }

    /** The memory of the same frames, taken in once each by the same encoder and config, without Kafka. */
    private static StarMemory uninterruptedMemory() throws Exception {
        StarMemory memory = new StarMemory(model.star(), model.attention());
        for (int seq = 0; seq < FRAMES; seq++) {
            FrameRecord frame = TestModels.record(CAM, seq);
            memory.update(model.encoder().encode(ImageIO.read(new ByteArrayInputStream(frame.payload())), frame.ptsMicros()));
        }
        return memory;
    }

    private static KafkaStreams streams(Path stateDir) {
        return streams(stateDir, "vstream-memory-restart-it-" + RUN);
    }

    private static KafkaStreams streams(Path stateDir, String applicationId) {
        Properties config = new Properties();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // The dead instance's partitions move once the broker has given up on it: keep that short.
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1000);
        config.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Topics.MEMORY.maxMessageBytes());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        return new KafkaStreams(FrameIntakeTopology.build(new IntakeMetrics(registry), new DeadLetterLog(Duration.ofMinutes(1)),
                model, new MemoryMetrics(registry), Duration.ofHours(1), Duration.ofMinutes(1)), config);
    }

    private static void poll(KafkaConsumer<byte[], byte[]> consumer, List<MemorySnapshot> seen) throws Exception {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.key() != null && CAM.equals(new String(r.key(), UTF_8)) && r.value() != null) {
                seen.add(MemorySnapshotCodec.decode(CAM, r.value()));
            }
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, int seq) throws Exception {
        producer.send(new ProducerRecord<>(Topics.FRAMES.name(), CAM.getBytes(UTF_8), TestModels.frame(CAM, seq))).get();
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> snapshotConsumer() {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "snapshot-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MEMORY.maxMessageBytes()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.MEMORY.name()));
        return consumer;
    }
}
