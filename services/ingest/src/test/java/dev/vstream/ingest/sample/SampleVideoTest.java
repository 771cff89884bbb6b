package dev.vstream.ingest.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.ingest.ffmpeg.Ffmpeg;
import dev.vstream.ingest.source.DecodedPicture;
import dev.vstream.ingest.source.SourceSpec;
import dev.vstream.ingest.source.VideoSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleVideoTest {

    @Test
    void writesAnH264FileWithEveryFrameAtItsTime(@TempDir Path dir) throws Exception {
        Ffmpeg.load(Ffmpeg.LogLevel.FATAL);
        SampleVideo video = new SampleVideo(160, 120, 25, Duration.ofMillis(2000));
        Path file = video.write(dir.resolve("a.mp4"));
        List<Long> pts = new ArrayList<>();
        try (VideoSource source = VideoSource.open(SourceSpec.parse(file.toString()), Duration.ofSeconds(5), null)) {
            assertThat(source.codecName()).isEqualTo("h264");
            assertThat(source.width()).isEqualTo(160);
            assertThat(source.height()).isEqualTo(120);
            assertThat(source.frameRate()).isEqualTo(25.0);
            for (DecodedPicture p = source.next(); p != null; p = source.next()) {
                pts.add(p.ptsMicros());
            }
        }
        assertThat(pts).hasSize(50);
        for (int i = 0; i < pts.size(); i++) {
            assertThat(pts.get(i) - pts.getFirst()).isEqualTo(40_000L * i);
        }
        assertThat(video.sceneChanges()).containsExactly(25L);

        Path again = video.write(dir.resolve("b.mp4"));
        assertThat(Files.mismatch(file, again)).as("same parameters, same bytes").isEqualTo(-1);
    }

    @Test
    void scenesChangeEveryQuarterButAtMostOncePerSecond() {
        assertThat(new SampleVideo(64, 64, 30, Duration.ofSeconds(10)).sceneChanges()).containsExactly(75L, 150L, 225L);
        assertThat(new SampleVideo(64, 64, 30, Duration.ofSeconds(2)).sceneChanges()).containsExactly(30L);
    }

    @Test
    void rejectsSizesH264Cannot() {
        assertThatThrownBy(() -> new SampleVideo(161, 120, 25, Duration.ofSeconds(1))).hasMessageContaining("even");
        assertThatThrownBy(() -> new SampleVideo(160, 120, 0, Duration.ofSeconds(1))).hasMessageContaining("fps");
        assertThatThrownBy(() -> new SampleVideo(160, 120, 25, Duration.ZERO)).hasMessageContaining("duration");
    }
}
