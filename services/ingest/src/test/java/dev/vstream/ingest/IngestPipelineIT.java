package dev.vstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.frame.FrameRecordCodec;
import dev.vstream.api.stream.PlaybackMode;
import dev.vstream.api.stream.ResizeMode;
import dev.vstream.api.stream.StreamRegistration;
import dev.vstream.api.stream.StreamState;
import dev.vstream.api.stream.StreamStatus;
import dev.vstream.api.topic.TopicProvisioner;
import dev.vstream.api.topic.Topics;
import dev.vstream.broker.KafkaBroker;
import dev.vstream.ingest.ffmpeg.Ffmpeg;
import dev.vstream.ingest.publish.KafkaFramePublisher;
import dev.vstream.ingest.stream.StreamRegistry;
import dev.vstream.ingest.stream.StreamSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Decode, sample, resize, encode and publish against a real KRaft broker, without the web layer. */
class IngestPipelineIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static String bootstrap;
    private static KafkaFramePublisher publisher;
    private static Ffmpeg.Natives natives;
    private StreamRegistry registry;

    @BeforeAll
    static void broker() throws Exception {
        bootstrap = KafkaBroker.shared().bootstrapServers();
        TopicProvisioner.ensure(bootstrap, List.of(Topics.FRAMES));
        natives = Ffmpeg.load(Ffmpeg.LogLevel.FATAL);
        publisher = KafkaFramePublisher.create(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), Duration.ofMillis(5));
    }

    @AfterAll
    static void closePublisher() {
        publisher.close();
    }

    @BeforeEach
    void registry() {
        registry = new StreamRegistry(new StreamSettings(8, 8, Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofSeconds(10), natives.devicesProblem()), publisher, new SimpleMeterRegistry());
    }

    @AfterEach
    void close() throws InterruptedException {
        registry.close();
    }

    private StreamStatus awaitState(String id, StreamState state) {
        await().atMost(TIMEOUT).until(() -> registry.status(id).state(), s -> s == state || s.isTerminal());
        StreamStatus status = registry.status(id);
        assertThat(status.state()).as("%s (lastError %s)", id, status.lastError()).isEqualTo(state);
        return status;
    }

    @Test
    void aGeneratedFileIngestedFastAtFiveFpsArrivesFrameByFrame() throws Exception {
        Path video = TestVideos.sample(320, 240, 30, Duration.ofSeconds(4));
        String id = "it-fast-" + RUN;
        registry.register(new StreamRegistration(id, video.toString(), 5.0, 224, 224, ResizeMode.LETTERBOX, PlaybackMode.FAST, 85));
        StreamStatus status = awaitState(id, StreamState.COMPLETED);
        assertThat(status.framesRead()).isEqualTo(120);
        assertThat(status.framesPublished()).isEqualTo(20);
        assertThat(status.framesPending()).isZero();
        assertThat(status.lastPtsMicros()).isEqualTo(3_800_000);

        List<ConsumerRecord<String, byte[]>> records = FramesTopic.read(bootstrap, id);
        assertThat(records).hasSize(20);
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(records.getFirst().partition());
        List<FrameRecord> frames = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            frames.add(FrameRecordCodec.decode(record.key(), record.value())); // checks key = stream id and JPEG size
        }
        for (int k = 0; k < frames.size(); k++) {
            FrameRecord frame = frames.get(k);
            assertThat(frame.sequence()).isEqualTo(k);
            assertThat(frame.ptsMicros()).isEqualTo(200_000L * k);
            assertThat(frame.width()).isEqualTo(224);
            assertThat(frame.height()).isEqualTo(224);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(frame.payload()));
            assertThat(image).as("frame %d decodes", k).isNotNull();
            assertThat(image.getWidth()).isEqualTo(224);
            assertThat(image.getHeight()).isEqualTo(224);
        }
    }

    @Test
    void brokenFilesFailWithAClearErrorWhileAGoodStreamAlongsideCompletes() {
        Path good = TestVideos.sample(320, 240, 30, Duration.ofSeconds(4));
        String truncated = "it-truncated-" + RUN;
        String garbage = "it-garbage-" + RUN;
        String fine = "it-good-" + RUN;
        registry.register(new StreamRegistration(fine, good.toString(), 2.0, 128, 128, ResizeMode.CENTER_CROP, PlaybackMode.FAST, 70));
        registry.register(new StreamRegistration(truncated, TestVideos.truncated(good, 0.6).toString(), 2.0, 128, 128, null,
                PlaybackMode.FAST, null));
        registry.register(new StreamRegistration(garbage, TestVideos.garbage(200_000).toString(), 2.0, 128, 128, null,
                PlaybackMode.FAST, null));

        assertThat(awaitState(truncated, StreamState.FAILED).lastError()).startsWith("cannot open ")
                .endsWith("Invalid data found when processing input (avformat_open_input -1094995529)");
        assertThat(awaitState(garbage, StreamState.FAILED).lastError())
                .endsWith("Invalid data found when processing input (avformat_open_input -1094995529)");
        StreamStatus status = awaitState(fine, StreamState.COMPLETED);
        assertThat(status.framesPublished()).isEqualTo(8);
        assertThat(FramesTopic.read(bootstrap, fine)).hasSize(8);
        assertThat(FramesTopic.read(bootstrap, truncated)).isEmpty();
    }
}
