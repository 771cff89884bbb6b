package dev.vstream.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SourceSpecTest {

    @Test
    void pathsAndFileUrlsBecomeAbsoluteFileSources() {
        SourceSpec relative = SourceSpec.parse("videos/clip.mp4");
        assertThat(relative.kind()).isEqualTo(SourceKind.FILE);
        assertThat(relative.location()).isEqualTo(Path.of("videos/clip.mp4").toAbsolutePath().toString());
        assertThat(relative.url()).isEqualTo("file:" + relative.location());
        assertThat(relative.live()).isFalse();
        assertThat(SourceSpec.parse("file:///data/a%20b.mp4").location()).isEqualTo("/data/a b.mp4");
        assertThat(SourceSpec.parse("file:/data/x.mp4").location()).isEqualTo("/data/x.mp4");
        assertThat(SourceSpec.parse("/data/../data/x:1.mp4").url()).isEqualTo("file:/data/x:1.mp4");
    }

    @Test
    void networkSourcesAreLiveWithTimeouts() {
        SourceSpec rtsp = SourceSpec.parse("rtsp://cam.local:554/stream1");
        assertThat(rtsp.kind()).isEqualTo(SourceKind.RTSP);
        assertThat(rtsp.live()).isTrue();
        assertThat(rtsp.options(Duration.ofSeconds(5))).containsEntry("rtsp_transport", "tcp").containsEntry("timeout", "5000000");
        SourceSpec rtmp = SourceSpec.parse("rtmp://live.example/app/key");
        assertThat(rtmp.options(Duration.ofSeconds(5))).containsEntry("rw_timeout", "5000000").doesNotContainKey("timeout");
        SourceSpec hls = SourceSpec.parse("https://cdn.example/live/index.m3u8");
        assertThat(hls.kind()).isEqualTo(SourceKind.HTTP);
        assertThat(hls.options(Duration.ofMillis(1500))).containsEntry("rw_timeout", "1500000")
                .containsEntry("protocol_whitelist", "http,https,tls,tcp,crypto,httpproxy");
    }

    @Test
    void devicesAndTestSourcesForceTheirInputFormat() {
        SourceSpec camera = SourceSpec.parse("v4l2:/dev/video0");
        assertThat(camera).isEqualTo(new SourceSpec(SourceKind.V4L2, "/dev/video0", "/dev/video0", "video4linux2"));
        assertThat(camera.live()).isTrue();
        SourceSpec test = SourceSpec.parse("lavfi:testsrc2=size=640x360:rate=30");
        assertThat(test).isEqualTo(new SourceSpec(SourceKind.LAVFI, "testsrc2=size=640x360:rate=30", "testsrc2=size=640x360:rate=30", "lavfi"));
        assertThat(test.live()).isFalse();
        assertThat(test.kind().inputDevice()).isTrue();
    }

    @Test
    void rejectsWhatItCannotRead() {
        assertThatThrownBy(() -> SourceSpec.parse("ftp://host/x.mp4")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unsupported source scheme 'ftp:'");
        assertThatThrownBy(() -> SourceSpec.parse("lavfi:")).hasMessageContaining("filter graph");
        assertThatThrownBy(() -> SourceSpec.parse("v4l2:video0")).hasMessageContaining("/dev/");
        assertThatThrownBy(() -> SourceSpec.parse("rtsp:///nohost")).hasMessageContaining("no host");
        assertThatThrownBy(() -> SourceSpec.parse("file:relative.mp4")).hasMessageContaining("invalid file URL");
        assertThatThrownBy(() -> SourceSpec.parse(" ")).hasMessage("source is required");
    }

    @Test
    void redactsCredentialsForLogs() {
        assertThat(SourceSpec.parse("rtsp://admin:secret@10.0.0.5:554/live").redacted()).isEqualTo("rtsp://***@10.0.0.5:554/live");
        assertThat(SourceSpec.parse("https://cdn.example/a@b.m3u8").redacted()).isEqualTo("https://cdn.example/a@b.m3u8");
        assertThat(SourceSpec.parse("/tmp/a@b.mp4").redacted()).isEqualTo("/tmp/a@b.mp4");
    }
}
