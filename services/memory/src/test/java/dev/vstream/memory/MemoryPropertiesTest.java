package dev.vstream.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.model.lm.KvPrecision;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The context settings bind from their documented names, and a long window beyond the kept frames is refused. */
class MemoryPropertiesTest {

    private static MemoryProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bind("vstream.memory", MemoryProperties.class)
                .get();
    }

    @Test
    void theLongWindowAndTheKvPrecisionBind() {
        MemoryProperties properties = bind(Map.of(
                "vstream.memory.context.window-frames", "300",
                "vstream.memory.context.kv-precision", "BF16",
                "vstream.memory.star.spatial-pool", "16",
                "vstream.memory.star.buffer-frames", "300"));
        assertThat(properties.context().windowFrames()).isEqualTo(300);
        assertThat(properties.context().kvPrecision()).isEqualTo(KvPrecision.BF16);
    }

    @Test
    void aWindowLongerThanTheKeptFramesIsRefused() {
        assertThatThrownBy(() -> bind(Map.of(
                "vstream.memory.context.window-frames", "301",
                "vstream.memory.star.buffer-frames", "300")))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause().hasMessageContaining("window-frames 301 exceeds vstream.memory.star.buffer-frames 300");
    }
}
