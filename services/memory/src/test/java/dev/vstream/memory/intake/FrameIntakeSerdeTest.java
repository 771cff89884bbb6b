package dev.vstream.memory.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class FrameIntakeSerdeTest {
    private final FrameIntakeSerde serde = new FrameIntakeSerde();

    @Test
    void roundTrips() {
        FrameIntake intake = new FrameIntake(12, 3, 4, 15, 15_000_000, 1_767_225_600_000L);
        byte[] bytes = serde.serializer().serialize("t", intake);
        assertThat(bytes).hasSize(49);
        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(intake);
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void refusesAVersionItDoesNotKnow() {
        byte[] bytes = serde.serializer().serialize("t", FrameIntake.EMPTY);
        bytes[0] = 9;
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessage("frame intake state of version 9 in changelog; this release reads version 1");
    }
}
