package dev.vstream.memory.intake;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Store and changelog format of {@link FrameIntake}: a version byte, then the six fields as big-endian longs.
 * The memory issue extends the state; it adds a version and keeps reading this one, because the changelog
 * written by an older release is what a newer one restores from.
 */
public final class FrameIntakeSerde implements Serde<FrameIntake> {
    static final byte VERSION = 1;
    private static final int V1_BYTES = 1 + 6 * Long.BYTES;

    @Override
    public Serializer<FrameIntake> serializer() {
        return (topic, intake) -> intake == null ? null : ByteBuffer.allocate(V1_BYTES).put(VERSION)
                .putLong(intake.framesAccepted()).putLong(intake.framesRejected()).putLong(intake.framesMissing())
                .putLong(intake.lastSequence()).putLong(intake.lastPtsMicros()).putLong(intake.lastAcceptedAtMs())
                .array();
    }

    @Override
    public Deserializer<FrameIntake> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            if (data.length == 0 || data[0] != VERSION) {
                throw new SerializationException("frame intake state of version " + (data.length == 0 ? "none" : data[0] & 0xff)
                        + " in " + topic + "; this release reads version " + VERSION);
            }
            if (data.length != V1_BYTES) {
                throw new SerializationException("frame intake state of " + data.length + " bytes in " + topic
                        + ", version 1 has " + V1_BYTES);
            }
            ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1);
            return new FrameIntake(in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong());
        };
    }
}
