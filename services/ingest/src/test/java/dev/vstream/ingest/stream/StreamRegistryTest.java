package dev.vstream.ingest.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.stream.PlaybackMode;
import dev.vstream.api.stream.ResizeMode;
import dev.vstream.api.stream.StreamRegistration;
import dev.vstream.api.stream.StreamState;
import dev.vstream.api.stream.StreamStatus;
import dev.vstream.ingest.TestVideos;
import dev.vstream.ingest.ffmpeg.Ffmpeg;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stream life cycle against real FFmpeg decoding, with frames published to memory instead of Kafka. */
class StreamRegistryTest {
    private static Ffmpeg.Natives natives;
    private static Path clip;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private StreamRegistry registry;

    @BeforeAll
    static void load() throws Exception {
        natives = Ffmpeg.load(Ffmpeg.LogLevel.FATAL);
        clip = TestVideos.sample(320, 240, 30, Duration.ofSeconds(2));
    }

    @AfterEach
    void close() throws InterruptedException {
        if (registry != null) {
            registry.close();
        }
    }

    private StreamRegistry registry(RecordingPublisher publisher, Duration sourceTimeout) {
        registry = new StreamRegistry(new StreamSettings(3, 4, sourceTimeout, Duration.ofMillis(50), Duration.ofMillis(200),
                Duration.ofSeconds(2), natives.devicesProblem()), publisher, meters);
        return registry;
    }

    private static StreamRegistration fast(String id, String source) {
        return new StreamRegistration(id, source, 5.0, 160, 120, ResizeMode.LETTERBOX, PlaybackMode.FAST, 80);
    }

    private StreamStatus awaitState(String id, StreamState state) {
        await().atMost(Duration.ofSeconds(20)).until(() -> registry.status(id).state(), s -> s == state);
        return registry.status(id);
    }

    @Test
    void aFastFileIsSampledByPtsAndCompletesOnceEveryFrameIsAcknowledged() {
        RecordingPublisher publisher = new RecordingPublisher(RecordingPublisher.Mode.ACK);
        registry(publisher, Duration.ofSeconds(5)).register(fast("fast", clip.toString()));
        StreamStatus status = awaitState("fast", StreamState.COMPLETED);

        List<FrameRecord> frames = publisher.frames("fast");
        assertThat(frames).extracting(FrameRecord::sequence).containsExactlyElementsOf(IntStream.range(0, 10).asLongStream().boxed().toList());
        assertThat(frames).extracting(FrameRecord::ptsMicros).containsExactlyElementsOf(
                IntStream.range(0, 10).mapToObj(k -> 200_000L * k).toList());
        assertThat(frames).allSatisfy(f -> {
            assertThat(f.width()).isEqualTo(160);
            assertThat(f.height()).isEqualTo(120);
        });
        assertThat(status.framesRead()).isEqualTo(60);
        assertThat(status.framesPublished()).isEqualTo(10);
        assertThat(status.framesPending()).isZero();
        assertThat(status.lastPtsMicros()).isEqualTo(1_800_000);
        assertThat(status.lastError()).isNull();
        assertThat(meters.get("vstream.ingest.frames.read").tag("stream", "fast").counter().count()).isEqualTo(60);
        assertThat(meters.get("vstream.ingest.frames.published").tag("stream", "fast").counter().count()).isEqualTo(10);
    }

    @Test
    void aRealtimeFileIsPacedByPresentationTime() {
        RecordingPublisher publisher = new RecordingPublisher(RecordingPublisher.Mode.ACK);
        long start = System.nanoTime();
        registry(publisher, Duration.ofSeconds(5)).register(new StreamRegistration("paced", clip.toString(), 5.0, 64, 64,
                ResizeMode.CENTER_CROP, PlaybackMode.REALTIME, 50));
        awaitState("paced", StreamState.COMPLETED);
        // the last kept frame is due 1.8 s after the first
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1800));
        assertThat(publisher.frames("paced")).hasSize(10);
    }

    @Test
    void unreadableFilesFailWithTheReasonWhileOthersCarryOn() {
        RecordingPublisher publisher = new RecordingPublisher(RecordingPublisher.Mode.ACK);
        registry(publisher, Duration.ofSeconds(5));
        registry.register(fast("missing", "/nonexistent/video.mp4"));
        registry.register(fast("garbage", TestVideos.garbage(64 * 1024).toString()));
        registry.register(fast("truncated", TestVideos.truncated(clip, 0.5).toString()));

        assertThat(awaitState("missing", StreamState.FAILED).lastError()).isEqualTo("no such file: /nonexistent/video.mp4");
        assertThat(awaitState("garbage", StreamState.FAILED).lastError())
                .isEqualTo("cannot open " + TestVideos.garbage(64 * 1024) + ": Invalid data found when processing input (avformat_open_input -1094995529)");
        assertThat(awaitState("truncated", StreamState.FAILED).lastError()).startsWith("cannot open ").contains("Invalid data");
        assertThat(publisher.frames("truncated")).isEmpty();

        registry.register(fast("good", clip.toString()));
        awaitState("good", StreamState.COMPLETED);
        assertThat(publisher.frames("good")).hasSize(10);
    }

    @Test
    void aFileCutShortBehindItsIndexFailsAsTruncatedAfterPublishingWhatItHad() {
        RecordingPublisher publisher = new RecordingPublisher(RecordingPublisher.Mode.ACK);
        registry(publisher, Duration.ofSeconds(5));
        Path whole = TestVideos.fastStart(320, 240, 30, Duration.ofSeconds(4));
        registry.register(fast("cut", TestVideos.truncated(whole, 0.5).toString()));
        StreamStatus status = awaitState("cut", StreamState.FAILED);
        assertThat(status.lastError()).matches("source ended after [12]\\.\\d s of its 4\\.0 s: the file is truncated or damaged \\(.*, codec h264\\)");
        assertThat(status.framesPublished()).isBetween(5L, 12L);
        assertThat(publisher.frames("cut")).hasSize((int) status.framesPublished());
    }

    @Test
    void anUnreachableUrlFailsInSeconds() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher(RecordingPublisher.Mode.ACK);
        registry(publisher, Duration.ofSeconds(1));
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // accepts connections (the kernel does) but never answers: only the read timeout ends the wait
            registry.register(fast("silent", "http://127.0.0.1:" + silent.getLocalPort() + "/live.m3u8"));
            registry.register(fast("refused", "rtsp://127.0.0.1:1/stream"));
            long start = System.nanoTime();
            StreamStatus refused = awaitState("refused", StreamState.FAILED);
            StreamStatus silentStatus = awaitState("silent", StreamState.FAILED);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            assertThat(refused.lastError()).isEqualTo("cannot open rtsp://127.0.0.1:1/stream: Connection refused (avformat_open_input -111)");
            assertThat(silentStatus.lastError()).startsWith("cannot open http://127.0.0.1:" + silent.getLocalPort());
            assertThat(refused.reconnects()).isZero();
        }
    }

    @Test
    void aLiveSourceReconnectsWithBackoffAfterADropUntilStopped() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher(RecordingPublisher.Mode.ACK);
        registry(publisher, Duration.ofSeconds(2));
        byte[] video = Files.readAllBytes(clip);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/clip.mp4", exchange -> RangeServer.serve(exchange, video));
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/clip.mp4";
        try {
            // HTTP is live: the end of the clip is a drop, and the stream opens it again
            registry.register(fast("live", url));
            await().atMost(Duration.ofSeconds(30)).until(() -> registry.status("live").reconnects() >= 2
                    && registry.status("live").framesPublished() >= 25);
        } finally {
            server.stop(0);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> registry.status("live"),
                s -> s.state() == StreamState.RECONNECTING && s.lastError() != null && s.lastError().contains("Connection refused"));
        StreamStatus stopped = registry.stop("live");
        assertThat(stopped.state()).isEqualTo(StreamState.STOPPED);

        List<FrameRecord> frames = publisher.frames("live");
        assertThat(frames).extracting(FrameRecord::sequence)
                .containsExactlyElementsOf(IntStream.range(0, frames.size()).asLongStream().boxed().toList());
        for (int i = 1; i < frames.size(); i++) {
            assertThat(frames.get(i).ptsMicros()).as("frame %d", i).isGreaterThan(frames.get(i - 1).ptsMicros());
        }
        assertThat(stopped.framesPublished()).isEqualTo(frames.size());
    }

    @Test
    void anHlsPlaylistIsReadOverHttpThroughTheProtocolWhitelist() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher(RecordingPublisher.Mode.ACK);
        registry(publisher, Duration.ofSeconds(2));
        Path playlist = TestVideos.hls(160, 120, 25, Duration.ofSeconds(3));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hls/", exchange -> {
            Path file = playlist.resolveSibling(exchange.getRequestURI().getPath().substring("/hls/".length()));
            RangeServer.serve(exchange, Files.readAllBytes(file));
        });
        server.start();
        try {
            registry.register(fast("hls", "http://127.0.0.1:" + server.getAddress().getPort() + "/hls/index.m3u8"));
            // a VOD playlist on a live source kind: read through once, then reopened like a dropped live stream
            await().atMost(Duration.ofSeconds(30)).until(() -> registry.status("hls").reconnects() >= 1);
        } finally {
            server.stop(0);
        }
        List<FrameRecord> firstPass = publisher.frames("hls").subList(0, 15);
        assertThat(firstPass).extracting(FrameRecord::ptsMicros)
                .containsExactlyElementsOf(IntStream.range(0, 15).mapToObj(k -> 200_000L * k).toList());
    }

    @Test
    void anFfmpegTestSourceIsReadThroughLavfi() {
        assumeTrue(natives.devicesAvailable(), () -> "needs libavdevice: " + natives.devicesProblem());
        RecordingPublisher publisher = new RecordingPublisher(RecordingPublisher.Mode.ACK);
        registry(publisher, Duration.ofSeconds(5)).register(fast("lavfi", "lavfi:testsrc2=size=320x240:rate=25:duration=2"));
        StreamStatus status = awaitState("lavfi", StreamState.COMPLETED);
        assertThat(status.framesRead()).isEqualTo(50);
        assertThat(publisher.frames("lavfi")).extracting(FrameRecord::ptsMicros)
                .containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(k -> 200_000L * k).toList());
    }

    @Test
    void aFullQueueBlocksTheReaderUntilFramesAreAcknowledged() {
        RecordingPublisher publisher = new RecordingPublisher(RecordingPublisher.Mode.HOLD);
        registry(publisher, Duration.ofSeconds(5)).register(fast("held", clip.toString()));
        await().atMost(Duration.ofSeconds(20)).until(() -> registry.status("held").framesPending() == 4);
        long read = registry.status("held").framesRead();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> registry.status("held").framesRead() == read && registry.status("held").framesPending() == 4);
        assertThat(registry.status("held").state()).isEqualTo(StreamState.RUNNING);

        publisher.release();
        StreamStatus done = awaitState("held", StreamState.COMPLETED);
        assertThat(done.framesPublished()).isEqualTo(10);
        assertThat(publisher.frames("held")).extracting(FrameRecord::sequence).containsExactlyElementsOf(
                IntStream.range(0, 10).asLongStream().boxed().toList());
    }

    @Test
    void aFailedSendFailsTheStream() {
        RecordingPublisher publisher = new RecordingPublisher(RecordingPublisher.Mode.FAIL);
        registry(publisher, Duration.ofSeconds(5)).register(fast("unpublishable", clip.toString()));
        assertThat(awaitState("unpublishable", StreamState.FAILED).lastError())
                .isEqualTo("publishing to Kafka failed: broker unreachable (test)");
    }

    @Test
    void activeIdsConflictCapacityIsBoundedAndStoppingReturnsTheFinalStatus() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher(RecordingPublisher.Mode.HOLD);
        registry(publisher, Duration.ofSeconds(5));
        for (String id : List.of("a", "b", "c")) {
            registry.register(fast(id, clip.toString()));
        }
        assertThatThrownBy(() -> registry.register(fast("a", clip.toString()))).isInstanceOf(StreamConflictException.class)
                .hasMessageContaining("'a' is already active");
        assertThatThrownBy(() -> registry.register(fast("d", clip.toString()))).isInstanceOf(StreamCapacityException.class)
                .hasMessageContaining("maximum of 3 active streams");
        assertThat(registry.list()).extracting(StreamStatus::id).containsExactly("a", "b", "c");
        assertThat(meters.get("vstream.ingest.streams.active").gauge().value()).isEqualTo(3);

        StreamStatus stopped = registry.stop("a");
        assertThat(stopped.state()).isEqualTo(StreamState.STOPPED);
        assertThatThrownBy(() -> registry.status("a")).isInstanceOf(StreamNotFoundException.class);
        assertThat(meters.find("vstream.ingest.frames.read").tag("stream", "a").counter()).isNull();

        publisher.release();
        registry.register(fast("d", clip.toString()));
        awaitState("b", StreamState.COMPLETED);
        registry.register(fast("b", clip.toString())); // a finished id can be registered again
        awaitState("b", StreamState.COMPLETED);
        assertThat(registry.status("b").framesPublished()).isEqualTo(10);
    }
}
