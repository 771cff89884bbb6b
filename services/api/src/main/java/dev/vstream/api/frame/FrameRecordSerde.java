package dev.vstream.api.frame;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde over {@link FrameRecordCodec}. A Kafka deserializer never sees the key, so consumers that
 * must check key against stream id and dead-letter bad records read raw bytes and call
 * {@link FrameRecordCodec#decode(String, byte[])} themselves, keeping the reason.
 */
public final class FrameRecordSerde implements Serde<FrameRecord> {

    @Override
    public Serializer<FrameRecord> serializer() {
        return (topic, frame) -> frame == null ? null : FrameRecordCodec.encode(frame);
    }

    @Override
    public Deserializer<FrameRecord> deserializer() {
        return (topic, data) -> {
            try {
                return FrameRecordCodec.decode(data);
            } catch (MalformedRecordException e) {
                throw new SerializationException("malformed frame record on " + topic + ": " + e.getMessage(), e);
            }
        };
    }
}
