package dev.vstream.api.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StreamRegistrationTest {

    @Test
    void fillsDefaults() {
        StreamRegistration r = StreamRegistration.of("cam-1", "/videos/a.mp4");
        assertThat(r.targetFps()).isEqualTo(1.0);
        assertThat(r.width()).isEqualTo(224);
        assertThat(r.height()).isEqualTo(224);
        assertThat(r.resize()).isEqualTo(ResizeMode.LETTERBOX);
        assertThat(r.playback()).isEqualTo(PlaybackMode.REALTIME);
        assertThat(r.jpegQuality()).isEqualTo(90);
    }

    @Test
    void rejectsOutOfRangeValuesWithTheirName() {
        assertThatThrownBy(() -> new StreamRegistration("cam", "x", 0.0, null, null, null, null, null)).hasMessageContaining("targetFps");
        assertThatThrownBy(() -> new StreamRegistration("cam", "x", 61.0, null, null, null, null, null)).hasMessageContaining("targetFps");
        assertThatThrownBy(() -> new StreamRegistration("cam", "x", Double.NaN, null, null, null, null, null)).hasMessageContaining("targetFps");
        assertThatThrownBy(() -> new StreamRegistration("cam", "x", null, 8, null, null, null, null)).hasMessageContaining("target size");
        assertThatThrownBy(() -> new StreamRegistration("cam", " ", null, null, null, null, null, null)).hasMessageContaining("source");
        assertThatThrownBy(() -> new StreamRegistration("../etc", "x", null, null, null, null, null, null)).hasMessageContaining("stream id");
        assertThatThrownBy(() -> new StreamRegistration("cam", "x", null, null, null, null, null, 0)).hasMessageContaining("jpegQuality");
    }
}
