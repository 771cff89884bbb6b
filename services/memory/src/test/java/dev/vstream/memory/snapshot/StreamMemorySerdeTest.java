package dev.vstream.memory.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class StreamMemorySerdeTest {
    private final StreamMemorySerde serde = new StreamMemorySerde();

    @Test
    void roundTripsAndKeepsTheStateBytesAsTheyAre() {
        StreamMemory memory = new StreamMemory(3_000_000, 1_764_000_000_123L, new byte[] {1, 2, 3, 4, 5});
        byte[] bytes = serde.serializer().serialize("t", memory);
        assertThat(bytes).hasSize(1 + 16 + 5);
        assertThat(bytes[0]).isEqualTo((byte) 1);
        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(memory);
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void refusesOtherVersionsAndShortValues() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0})).isInstanceOf(SerializationException.class).hasMessageContaining("version 2");
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {1, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("2 bytes");
    }
}
