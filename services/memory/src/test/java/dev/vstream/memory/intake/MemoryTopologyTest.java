package dev.vstream.memory.intake;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.api.deadletter.DeadLetter;
import dev.vstream.api.frame.FrameEncoding;
import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.frame.FrameRecordCodec;
import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.MemorySnapshotCodec;
import dev.vstream.api.memory.SlotKind;
import dev.vstream.api.memory.TokenType;
import dev.vstream.api.topic.Topics;
import dev.vstream.context.prefill.MemoryWindow;
import dev.vstream.memory.encoder.MemoryModel;
import dev.vstream.memory.snapshot.Snapshots;
import dev.vstream.memory.snapshot.StreamMemory;
import dev.vstream.memory.snapshot.StreamMemoryFrames;
import dev.vstream.memory.star.StarMemory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory part of the topology with the tiny CLIP checkpoint: snapshots, versions, image dead letters, expiry. */
class MemoryTopologyTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration IDLE = Duration.ofMinutes(5);
    private static MemoryModel.Loaded model;

    @TempDir
    Path stateDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> frames;
    private TestOutputTopic<byte[], byte[]> snapshots;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private KeyValueStore<String, FrameIntake> intakes;
    private KeyValueStore<String, StreamMemory> memories;
    private KeyValueStore<String, byte[]> memoryFrames;

    @BeforeAll
    static void load() {
        model = TestModels.tinyModel(TokenType.F32);
    }

    @AfterAll
    static void unload() {
        model.close();
    }

    @BeforeEach
    void start() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "memory-update-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(FrameIntakeTopology.build(new IntakeMetrics(registry),
                new DeadLetterLog(Duration.ofMinutes(1)), model, new MemoryMetrics(registry), IDLE,
                Duration.ofSeconds(30)), config, T0);
        frames = driver.createInputTopic(Topics.FRAMES.name(), new ByteArraySerializer(), new ByteArraySerializer(),
                T0, Duration.ofSeconds(1));
        snapshots = driver.createOutputTopic(Topics.MEMORY.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(Topics.FRAMES_DLQ.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        intakes = driver.getKeyValueStore(FrameIntakeTopology.INTAKE_STORE);
        memories = driver.getKeyValueStore(FrameIntakeTopology.MEMORY_STORE);
        memoryFrames = driver.getKeyValueStore(FrameIntakeTopology.MEMORY_FRAMES_STORE);
    }

    /** A driver of the topology keeping at most {@code liveMemories} memories live, replacing the one of start(). */
    private void restart(int liveMemories) {
        restart(liveMemories, MemoryListener.NONE);
    }

    /** As {@link #restart(int)}, telling {@code listener} of each memory. */
    private void restart(int liveMemories, MemoryListener listener) {
        driver.close();
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "memory-update-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("live-" + liveMemories).toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(FrameIntakeTopology.build(new IntakeMetrics(registry),
                new DeadLetterLog(Duration.ofMinutes(1)), model, new MemoryMetrics(registry), IDLE,
                Duration.ofSeconds(30), liveMemories, listener), config, T0);
        frames = driver.createInputTopic(Topics.FRAMES.name(), new ByteArraySerializer(), new ByteArraySerializer(),
                T0, Duration.ofSeconds(1));
        snapshots = driver.createOutputTopic(Topics.MEMORY.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        memories = driver.getKeyValueStore(FrameIntakeTopology.MEMORY_STORE);
        memoryFrames = driver.getKeyValueStore(FrameIntakeTopology.MEMORY_FRAMES_STORE);
    }

    private static StarMemory reference(String streamId, int frameCount) throws Exception {
        StarMemory reference = new StarMemory(model.star(), model.attention());
        for (long seq = 0; seq < frameCount; seq++) {
            FrameRecord frame = TestModels.record(streamId, seq);
            reference.update(model.encoder().encode(ImageIO.read(new ByteArrayInputStream(frame.payload())), frame.ptsMicros()));
        }
        return reference;
    }

    @Test
    void aFrameWritesTheCoreAndOneFrameEntryOnly() throws Exception {
        TestOutputTopic<String, byte[]> coreLog = driver.createOutputTopic("memory-update-test-"
                + FrameIntakeTopology.MEMORY_STORE + "-changelog", new StringDeserializer(), new ByteArrayDeserializer());
        TestOutputTopic<String, byte[]> framesLog = driver.createOutputTopic("memory-update-test-"
                + FrameIntakeTopology.MEMORY_FRAMES_STORE + "-changelog", new StringDeserializer(), new ByteArrayDeserializer());
        int buffer = model.star().bufferFrames();
        int frameCount = 2 * buffer + 2;   // the ring wraps twice: evicted slots are overwritten
        StarMemory reference = new StarMemory(model.star(), model.attention());
        long[] written = new long[frameCount];
        for (int seq = 0; seq < frameCount; seq++) {
            frames.pipeInput("cam-1".getBytes(UTF_8), TestModels.frame("cam-1", seq));
            FrameRecord frame = TestModels.record("cam-1", seq);
            reference.update(model.encoder().encode(ImageIO.read(new ByteArrayInputStream(frame.payload())), frame.ptsMicros()));

            List<TestRecord<String, byte[]>> core = coreLog.readRecordsToList();
            List<TestRecord<String, byte[]>> entries = framesLog.readRecordsToList();
            assertThat(core).as("core records of frame " + seq).singleElement()
                    .satisfies(r -> assertThat(r.key()).isEqualTo("cam-1"));
            int slot = seq % buffer;
            assertThat(entries).as("frame entries of frame " + seq).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo(StreamMemoryFrames.key("cam-1", slot));
                assertThat(r.value()).isEqualTo(reference.frameBytes(reference.newestSlot()));
            });
            written[seq] = core.getFirst().value().length + entries.getFirst().value().length;
            assertThat(memoryFrames.get(StreamMemoryFrames.key("cam-1", seq % buffer)))
                    .isEqualTo(reference.frameBytes(seq % buffer));
            // restored from the stores: byte for byte the live memory
            assertThat(StreamMemoryFrames.restore(model.star(), model.attention(), memories.get("cam-1"), memoryFrames,
                    "cam-1").toBytes()).isEqualTo(reference.toBytes());
        }
        assertThat(written[frameCount - 1]).as("a frame writes far less than the whole state")
                .isLessThan(reference.toBytes().length);
        int stored = 0;
        try (var all = memoryFrames.all()) {
            while (all.hasNext()) {
                all.next();
                stored++;
            }
        }
        assertThat(stored).as("one entry per buffered frame").isEqualTo(buffer);
    }

    @Test
    void memoriesRestoredFromTheStoresWhenNotLiveGiveTheSameSnapshots() throws Exception {
        restart(1);
        // one live memory per task, two streams interleaved: each frame finds the other stream's memory live and
        // restores its own from the stores
        for (int seq = 0; seq < 7; seq++) {
            frames.pipeInput("cam-1".getBytes(UTF_8), TestModels.frame("cam-1", seq));
            frames.pipeInput("cam-2".getBytes(UTF_8), TestModels.frame("cam-2", seq));
        }
        List<TestRecord<byte[], byte[]>> published = snapshots.readRecordsToList();
        assertThat(published).hasSize(14);
        for (String cam : List.of("cam-1", "cam-2")) {
            StarMemory reference = reference(cam, 7);
            MemorySnapshot last = MemorySnapshotCodec.decode(cam, published.get(cam.equals("cam-1") ? 12 : 13).value());
            StreamMemory stored = memories.get(cam);
            assertThat(last).isEqualTo(Snapshots.of(cam, reference, stored, model.encoder().identity(), TokenType.F32,
                    reference.newTokens()));
            assertThat(StreamMemoryFrames.restore(model.star(), model.attention(), stored, memoryFrames, cam).toBytes())
                    .isEqualTo(reference.toBytes());
        }
    }

    @Test
    void aStoreOfAnOlderReleaseHoldingTheWholeStateIsTakenOverAndSplit() throws Exception {
        restart(1);
        for (int seq = 0; seq < 6; seq++) {
            frames.pipeInput("cam-1".getBytes(UTF_8), TestModels.frame("cam-1", seq));
        }
        frames.pipeInput("cam-2".getBytes(UTF_8), TestModels.frame("cam-2", 0));   // cam-1 is no longer live
        // what an older release stored: the whole state under the stream id, no frame entries
        StreamMemory split = memories.get("cam-1");
        memories.put("cam-1", new StreamMemory(split.newestPtsMicros(), split.newestWallClockMs(),
                reference("cam-1", 6).toBytes()));
        for (int slot = 0; slot < model.star().bufferFrames(); slot++) {
            memoryFrames.delete(StreamMemoryFrames.key("cam-1", slot));
        }
        frames.pipeInput("cam-1".getBytes(UTF_8), TestModels.frame("cam-1", 6));
        StarMemory reference = reference("cam-1", 7);
        assertThat(memories.get("cam-1").state()).isEqualTo(reference.coreBytes());
        assertThat(StreamMemoryFrames.restore(model.star(), model.attention(), memories.get("cam-1"), memoryFrames,
                "cam-1").toBytes()).isEqualTo(reference.toBytes());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void everyFramePublishesTheSnapshotOfTheMemoryItWasTakenInto() throws Exception {
        StarMemory reference = new StarMemory(model.star(), model.attention());
        for (long seq = 0; seq < 8; seq++) {
            frames.pipeInput("cam-1".getBytes(UTF_8), TestModels.frame("cam-1", seq));
            FrameRecord frame = TestModels.record("cam-1", seq);
            reference.update(model.encoder().encode(ImageIO.read(new ByteArrayInputStream(frame.payload())), frame.ptsMicros()));
        }

        List<TestRecord<byte[], byte[]>> published = snapshots.readRecordsToList();
        assertThat(published).hasSize(8);
        for (int i = 0; i < 8; i++) {
            MemorySnapshot snapshot = MemorySnapshotCodec.decode("cam-1", published.get(i).value());
            assertThat(snapshot.version()).isEqualTo(i + 1);
            assertThat(snapshot.newestPtsMicros()).isEqualTo(i * 1_000_000L);
            assertThat(snapshot.newestWallClockMs()).isEqualTo(T0.plusSeconds(i).toEpochMilli());
            assertThat(published.get(i).timestamp()).isEqualTo(T0.plusSeconds(i).toEpochMilli());
        }
        MemorySnapshot last = MemorySnapshotCodec.decode("cam-1", published.get(7).value());
        byte[] config = Files.readAllBytes(TestModels.clipTiny().resolve("config.json"));
        assertThat(last.encoderName()).isEqualTo("clip_tiny");
        assertThat(last.encoderConfigSha256()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(config)));
        assertThat(last.projected()).isFalse();
        assertThat(last.tokenType()).isEqualTo(TokenType.F32);
        assertThat(last.channels()).isEqualTo(64);
        // full after 8 frames: 2 abstract + 3 clusters x 4 + 1 retrieved x 16 + 1 spatial x 16
        assertThat(last.tokens()).isEqualTo(46);
        assertThat(last.count(SlotKind.STAR_ABSTRACT)).isEqualTo(2);
        assertThat(last.count(SlotKind.STAR_TEMPORAL)).isEqualTo(12);
        assertThat(last.count(SlotKind.STAR_RETRIEVED)).isEqualTo(16);
        assertThat(last.count(SlotKind.STAR_SPATIAL)).isEqualTo(16);
        assertThat(last.kinds()[45]).isEqualTo(SlotKind.STAR_SPATIAL);
        assertThat(last.timestampsMicros()[45]).as("the spatial memory is the newest frame").isEqualTo(7_000_000L);

        StreamMemory stored = memories.get("cam-1");
        assertThat(stored.state()).as("stored core is the memory's own core bytes").isEqualTo(reference.coreBytes());
        assertThat(StreamMemoryFrames.restore(model.star(), model.attention(), stored, memoryFrames, "cam-1").toBytes())
                .as("the memory restored from the stores").isEqualTo(reference.toBytes());
        assertThat(last).isEqualTo(Snapshots.of("cam-1", reference, stored, model.encoder().identity(), TokenType.F32,
                reference.newTokens()));
        assertThat(intakes.get("cam-1").framesAccepted()).isEqualTo(8);
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(registry.get("vstream.memory.frames.updated").counter().count()).isEqualTo(8.0);
        assertThat(registry.get("vstream.memory.update.latency").timer().count()).isEqualTo(8);
    }

    @Test
    void theListenerGetsTheNewestFramesAsTheLongWindowSharedAndNeverRewritten() throws Exception {
        List<MemoryWindow> windows = new java.util.ArrayList<>();
        List<float[][]> copies = new java.util.ArrayList<>();
        List<MemorySnapshot> published = new java.util.ArrayList<>();
        restart(8, new MemoryListener() {
            @Override
            public int windowFrames() {
                return 3;
            }

            @Override
            public void updated(MemorySnapshot snapshot, MemoryWindow window) {
                published.add(snapshot);
                windows.add(window);
                copies.add(java.util.Arrays.stream(window.frames()).map(float[]::clone).toArray(float[][]::new));
            }

            @Override
            public void expired(String streamId) {
            }
        });
        for (int seq = 0; seq < 7; seq++) {
            frames.pipeInput("cam-w".getBytes(UTF_8), TestModels.frame("cam-w", seq));
        }
        assertThat(windows).hasSize(7);
        assertThat(windows.get(0).frames().length).isEqualTo(1);
        assertThat(windows.get(6).frames().length).isEqualTo(3);
        assertThat(windows.get(6).tokensPerFrame()).isEqualTo(model.star().spatialTokens());
        // The newest three frames at P_spa, as a reference memory fed the same frames holds them.
        StarMemory reference = reference("cam-w", 7);
        float[][] expected = new float[3][];
        long[] times = new long[3];
        assertThat(reference.newestFrames(3, expected, times)).isEqualTo(3);
        assertThat(windows.get(6).timestampsMicros()).containsExactly(times);
        assertThat(windows.get(6).timestampsMicros()[2]).isEqualTo(published.get(6).newestPtsMicros());
        for (int j = 0; j < 3; j++) {
            assertThat(windows.get(6).frames()[j]).containsExactly(expected[j]);
        }
        // Every window still holds what it held when handed over, though the memory moved on (no copy was made).
        for (int i = 0; i < windows.size(); i++) {
            assertThat(windows.get(i).frames()).as("window %d", i).isDeepEqualTo(copies.get(i));
        }
        assertThat(windows.get(6).frames()[0]).as("shared, not copied").isSameAs(windows.get(5).frames()[1]);
        // The published snapshot does not carry the window: its spatial memory is N_spa = 1 frame.
        assertThat(published.get(6).tokens()).isEqualTo(reference.config().maxTokens());
    }

    @Test
    void streamsHaveMemoriesOfTheirOwn() throws Exception {
        frames.pipeInput("cam-1".getBytes(UTF_8), TestModels.frame("cam-1", 0));
        frames.pipeInput("cam-2".getBytes(UTF_8), TestModels.frame("cam-2", 5));
        frames.pipeInput("cam-1".getBytes(UTF_8), TestModels.frame("cam-1", 1));

        List<TestRecord<byte[], byte[]>> published = snapshots.readRecordsToList();
        assertThat(published).extracting(r -> new String(r.key(), UTF_8)).containsExactly("cam-1", "cam-2", "cam-1");
        assertThat(MemorySnapshotCodec.decode("cam-2", published.get(1).value()).version()).isEqualTo(1);
        assertThat(MemorySnapshotCodec.decode("cam-1", published.get(2).value()).version()).isEqualTo(2);
    }

    @Test
    void framesWhoseImageIsUnusableAreDeadLetteredAndLeaveTheMemoryAsItWas() {
        frames.pipeInput("cam-1".getBytes(UTF_8), TestModels.frame("cam-1", 0));
        byte[] before = memories.get("cam-1").state();
        // A JPEG with a frame header and no scan: the frame codec takes it, javax.imageio cannot decode it.
        byte[] noScan = ByteBuffer.allocate(2 + 19 + 2).put(new byte[] {(byte) 0xFF, (byte) 0xD8})
                .put(new byte[] {(byte) 0xFF, (byte) 0xC0, 0, 17, 8, 0, 64, 0, 64, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0})
                .put(new byte[] {(byte) 0xFF, (byte) 0xD9}).array();
        byte[] notAnImage = FrameRecordCodec.encode(new FrameRecord("cam-1", 1, 1_000_000, 64, 64, FrameEncoding.JPEG, noScan));
        byte[] tooSmall = FrameRecordCodec.encode(new FrameRecord("cam-1", 2, 2_000_000, 32, 32, FrameEncoding.JPEG,
                TestModels.jpeg(32, 32, 2)));
        frames.pipeInput("cam-1".getBytes(UTF_8), notAnImage);
        frames.pipeInput("cam-1".getBytes(UTF_8), tooSmall);
        frames.pipeInput("cam-1".getBytes(UTF_8), TestModels.frame("cam-1", 3));

        List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
        assertThat(letters).hasSize(2);
        assertThat(letters.get(0).value()).isEqualTo(notAnImage);
        assertThat(DeadLetter.from(letters.get(0).headers()).reason()).startsWith("JPEG does not decode");
        assertThat(letters.get(1).value()).isEqualTo(tooSmall);
        assertThat(DeadLetter.from(letters.get(1).headers()).reason())
                .isEqualTo("frame 32x32 is smaller than the encoder's 56x56 input");
        assertThat(registry.get("vstream.memory.frames.dead.lettered").tag("reason", "undecodable-image").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("vstream.memory.frames.dead.lettered").tag("reason", "wrong-image-size").counter().count())
                .isEqualTo(1.0);
        List<TestRecord<byte[], byte[]>> published = snapshots.readRecordsToList();
        assertThat(published).hasSize(2);
        assertThat(published).extracting(r -> {
            try {
                return MemorySnapshotCodec.decode("cam-1", r.value()).version();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).containsExactly(1L, 2L);
        assertThat(before).isNotEqualTo(memories.get("cam-1").state());
    }

    @Test
    void idleStreamsAreExpiredWithATombstone() {
        frames.pipeInput("cam-1".getBytes(UTF_8), TestModels.frame("cam-1", 0));   // at T0
        frames.pipeInput("cam-2".getBytes(UTF_8), TestModels.frame("cam-2", 0));   // at T0 + 1 s
        snapshots.readRecordsToList();

        driver.advanceWallClockTime(IDLE.minusSeconds(30));
        assertThat(snapshots.isEmpty()).isTrue();
        frames.pipeInput("cam-2".getBytes(UTF_8), TestModels.frame("cam-2", 1), T0.plus(IDLE).minusSeconds(10));
        snapshots.readRecordsToList();

        driver.advanceWallClockTime(Duration.ofSeconds(30));

        List<TestRecord<byte[], byte[]>> tombstones = snapshots.readRecordsToList();
        assertThat(tombstones).hasSize(1);
        assertThat(new String(tombstones.get(0).key(), UTF_8)).isEqualTo("cam-1");
        assertThat(tombstones.get(0).value()).isNull();
        assertThat(intakes.get("cam-1")).isNull();
        assertThat(memories.get("cam-1")).isNull();
        assertThat(memoryFrames.get(StreamMemoryFrames.key("cam-1", 0))).isNull();
        assertThat(memoryFrames.get(StreamMemoryFrames.key("cam-2", 0))).isNotNull();
        assertThat(memoryFrames.get(StreamMemoryFrames.key("cam-2", 1))).isNotNull();
        assertThat(intakes.get("cam-2")).isNotNull();
        assertThat(memories.get("cam-2")).isNotNull();
        assertThat(registry.get("vstream.memory.streams.expired").counter().count()).isEqualTo(1.0);

        // A stream that comes back starts a new memory.
        frames.pipeInput("cam-1".getBytes(UTF_8), TestModels.frame("cam-1", 9), T0.plus(IDLE).plusSeconds(5));
        assertThat(snapshots.readRecordsToList()).singleElement().satisfies(r ->
                assertThat(MemorySnapshotCodec.decode("cam-1", r.value()).version()).isEqualTo(1));
    }
}
