package dev.vstream.memory.intake;

import static dev.vstream.memory.intake.TestFrames.frame;
import static dev.vstream.memory.intake.TestFrames.jpeg;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.api.deadletter.DeadLetter;
import dev.vstream.api.topic.Topics;
import dev.vstream.memory.encoder.MemoryModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameIntakeTopologyTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path stateDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> frames;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private KeyValueStore<String, FrameIntake> intakes;
    private long nextOffset;

    @BeforeEach
    void start() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "memory-topology-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(FrameIntakeTopology.build(new IntakeMetrics(registry),
                new DeadLetterLog(Duration.ofMinutes(1)), new MemoryModel.Unavailable("no model in this test"),
                new MemoryMetrics(registry), Duration.ofHours(1), Duration.ofMinutes(1)), config);
        frames = driver.createInputTopic(Topics.FRAMES.name(), new ByteArraySerializer(), new ByteArraySerializer(),
                T0, Duration.ofSeconds(1));
        deadLetters = driver.createOutputTopic(Topics.FRAMES_DLQ.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        intakes = driver.getKeyValueStore(FrameIntakeTopology.INTAKE_STORE);
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void validFrameUpdatesItsStreamsIntakeAndNothingIsDeadLettered() {
        send("cam-1", frame("cam-1", 0));
        send("cam-1", frame("cam-1", 1));

        assertThat(intakes.get("cam-1")).isEqualTo(new FrameIntake(2, 0, 0, 1, 1_000_000, T0.plusSeconds(1).toEpochMilli()));
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(accepted()).isEqualTo(2.0);
    }

    @Test
    void firstFrameMayHaveAnySequenceAndLaterGapsAreCounted() {
        send("cam-1", frame("cam-1", 7));
        send("cam-1", frame("cam-1", 10));

        FrameIntake intake = intakes.get("cam-1");
        assertThat(intake.framesAccepted()).isEqualTo(2);
        assertThat(intake.framesMissing()).isEqualTo(2);
        assertThat(intake.lastSequence()).isEqualTo(10);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void garbageGoesToTheDeadLetterTopicUnchanged() {
        byte[] garbage = new byte[200];
        Arrays.fill(garbage, (byte) 0x5A);
        assertDeadLettered("cam-1", garbage, "bad magic: not a vstream frame record", RejectionKind.MALFORMED);
    }

    @Test
    void recordShorterThanTheHeaderIsDeadLettered() {
        assertDeadLettered("cam-1", "hello".getBytes(UTF_8), "record of 5 bytes is shorter than the frame header",
                RejectionKind.MALFORMED);
    }

    @Test
    void badMagicIsDeadLettered() {
        byte[] value = frame("cam-1", 0);
        value[0] = 'X';
        assertDeadLettered("cam-1", value, "bad magic: not a vstream frame record", RejectionKind.MALFORMED);
    }

    @Test
    void keyDifferingFromTheStreamIdIsDeadLettered() {
        assertDeadLettered("cam-2", frame("cam-1", 0), "record key 'cam-2' differs from stream id 'cam-1'",
                RejectionKind.MALFORMED);
    }

    @Test
    void missingKeyIsDeadLettered() {
        assertDeadLettered(null, frame("cam-1", 0), "record key 'null' differs from stream id 'cam-1'", RejectionKind.MALFORMED);
    }

    @Test
    void keyThatIsNotUtf8IsDeadLetteredWithItsOriginalBytes() {
        byte[] key = {(byte) 0xC3, (byte) 0x28, 'x'};
        byte[] value = frame("cam-1", 0);
        sendRaw(key, value, new RecordHeaders());

        TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
        assertThat(letter.key()).isEqualTo(key);
        assertThat(letter.value()).isEqualTo(value);
        assertThat(DeadLetter.from(letter.headers()).reason()).isEqualTo("record key is not valid UTF-8");
    }

    @Test
    void missingValueIsDeadLettered() {
        assertDeadLettered("cam-1", null, "record has no value", RejectionKind.MALFORMED);
    }

    @Test
    void truncatedJpegIsDeadLettered() {
        assertDeadLettered("cam-1", frame("cam-1", 0, 64, 48, TestFrames.truncatedJpeg(64, 48)),
                "JPEG is truncated (no EOI marker at the end)", RejectionKind.MALFORMED);
    }

    @Test
    void declaredSizeDifferentFromTheJpegIsDeadLettered() {
        assertDeadLettered("cam-1", frame("cam-1", 0, 32, 32, jpeg(64, 48)), "declared size 32x32 but the JPEG is 64x48",
                RejectionKind.MALFORMED);
    }

    @Test
    void duplicateSequenceIsDeadLetteredAndCountedOnTheStream() {
        send("cam-1", frame("cam-1", 0));
        send("cam-1", frame("cam-1", 1));

        assertDeadLettered("cam-1", frame("cam-1", 1), "duplicate sequence 1 of stream 'cam-1': already accepted",
                RejectionKind.DUPLICATE_SEQUENCE);
        assertThat(intakes.get("cam-1")).isEqualTo(new FrameIntake(2, 1, 0, 1, 1_000_000, T0.plusSeconds(1).toEpochMilli()));
    }

    @Test
    void olderSequenceIsDeadLetteredAsOutOfOrder() {
        send("cam-1", frame("cam-1", 5));

        assertDeadLettered("cam-1", frame("cam-1", 4),
                "out-of-order sequence 4 of stream 'cam-1': sequence 5 was already accepted", RejectionKind.OUT_OF_ORDER);
        assertThat(intakes.get("cam-1").lastSequence()).isEqualTo(5);
    }

    @Test
    void sequenceZeroAfterAHigherOneStartsANewRun() {
        send("cam-1", frame("cam-1", 0));
        send("cam-1", frame("cam-1", 1));
        send("cam-1", frame("cam-1", 0));
        send("cam-1", frame("cam-1", 1));

        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(intakes.get("cam-1").framesAccepted()).isEqualTo(4);
        assertThat(intakes.get("cam-1").lastSequence()).isEqualTo(1);
        assertThat(intakes.get("cam-1").framesMissing()).isZero();
    }

    @Test
    void deadLetterKeepsTheProducersHeadersAndNamesItsSource() {
        send("cam-1", frame("cam-1", 0));
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "abc".getBytes(UTF_8));
        sendRaw("cam-1".getBytes(UTF_8), "junk".getBytes(UTF_8), headers);

        TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
        assertThat(letter.headers().lastHeader("trace-id").value()).isEqualTo("abc".getBytes(UTF_8));
        assertThat(DeadLetter.from(letter.headers()))
                .isEqualTo(new DeadLetter("record of 4 bytes is shorter than the frame header", Topics.FRAMES.name(), 0, 1));
        assertThat(letter.timestamp()).isEqualTo(T0.plusSeconds(1).toEpochMilli());
    }

    @Test
    void badRecordsNeitherStopNorDisturbOtherStreams() {
        send("cam-1", frame("cam-1", 0));
        send("cam-2", "garbage".getBytes(UTF_8));
        send("cam-2", frame("cam-1", 1));
        send("cam-1", frame("cam-1", 1));
        send("cam-2", frame("cam-2", 0));

        assertThat(deadLetters.readRecordsToList()).hasSize(2);
        assertThat(intakes.get("cam-1").framesAccepted()).isEqualTo(2);
        assertThat(intakes.get("cam-2").framesAccepted()).isEqualTo(1);
        assertThat(deadLettered(RejectionKind.MALFORMED)).isEqualTo(2.0);
        assertThat(accepted()).isEqualTo(3.0);
    }

    private void assertDeadLettered(String key, byte[] value, String reason, RejectionKind kind) {
        byte[] keyBytes = key == null ? null : key.getBytes(UTF_8);
        long offset = nextOffset;
        double before = deadLettered(kind);
        sendRaw(keyBytes, value, new RecordHeaders());

        List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
        assertThat(letters).hasSize(1);
        TestRecord<byte[], byte[]> letter = letters.getFirst();
        assertThat(letter.key()).isEqualTo(keyBytes);
        assertThat(letter.value()).isEqualTo(value);
        assertThat(DeadLetter.from(letter.headers())).isEqualTo(new DeadLetter(reason, Topics.FRAMES.name(), 0, offset));
        assertThat(deadLettered(kind)).isEqualTo(before + 1);
    }

    private void send(String key, byte[] value) {
        sendRaw(key.getBytes(UTF_8), value, new RecordHeaders());
    }

    private void sendRaw(byte[] key, byte[] value, RecordHeaders headers) {
        frames.pipeInput(new TestRecord<>(key, value, headers, (Instant) null));
        nextOffset++;
    }

    private double accepted() {
        return registry.get("vstream.memory.frames.accepted").counter().count();
    }

    private double deadLettered(RejectionKind kind) {
        return registry.get("vstream.memory.frames.dead.lettered").tag("reason", kind.tag()).counter().count();
    }
}
