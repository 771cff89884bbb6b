package dev.vstream.memory.snapshot;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Store and changelog format of {@link StreamMemory}: a version byte (1), the newest pts and wall clock as
 * big-endian longs, then the memory's state bytes to the end (they carry their own magic and version).
 */
public final class StreamMemorySerde implements Serde<StreamMemory> {
    static final byte VERSION = 1;
    private static final int HEADER_BYTES = 1 + 2 * Long.BYTES;

    @Override
    public Serializer<StreamMemory> serializer() {
        return (topic, memory) -> memory == null ? null : ByteBuffer.allocate(HEADER_BYTES + memory.state().length)
                .put(VERSION).putLong(memory.newestPtsMicros()).putLong(memory.newestWallClockMs()).put(memory.state())
                .array();
    }

    @Override
    public Deserializer<StreamMemory> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            if (data.length < HEADER_BYTES || data[0] != VERSION) {
                throw new SerializationException("stream memory of " + data.length + " bytes and version "
                        + (data.length == 0 ? "none" : data[0] & 0xff) + " in " + topic + "; this release reads version "
                        + VERSION);
            }
            ByteBuffer in = ByteBuffer.wrap(data);
            in.get();
            long pts = in.getLong();
            long wallClock = in.getLong();
            byte[] state = new byte[in.remaining()];
            in.get(state);
            return new StreamMemory(pts, wallClock, state);
        };
    }
}
