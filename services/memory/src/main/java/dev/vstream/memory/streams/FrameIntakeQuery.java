package dev.vstream.memory.streams;

import dev.vstream.memory.intake.FrameIntake;
import dev.vstream.memory.intake.FrameIntakeTopology;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive query of the intake store. With several instances (an application server configured) a stream's
 * state lives on the instance whose task owns its partition, and the answer can be that other instance.
 */
public final class FrameIntakeQuery {
    private final FrameIntakeStreams streams;
    private final HostInfo self;

    /** @param self this instance's application server, null when it runs alone */
    FrameIntakeQuery(FrameIntakeStreams streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
    }

    /** What is known of a stream's intake here. */
    public sealed interface Lookup {
        record Found(FrameIntake intake) implements Lookup {
        }

        /** No frame of the stream has been taken in (by this instance, when it runs alone). */
        record Unknown() implements Lookup {
        }

        /** Another instance owns the stream; {@code host:port} of its HTTP API. */
        record OwnedElsewhere(String host, int port) implements Lookup {
        }

        /** The store cannot be read now (starting, restoring, rebalancing, stopped). */
        record Unavailable(String why) implements Lookup {
        }
    }

    public Lookup lookup(String streamId) {
        Lookup elsewhere = ownerElsewhere(streamId);
        if (elsewhere != null) {
            return elsewhere;
        }
        try {
            ReadOnlyKeyValueStore<String, FrameIntake> store = streams.streams().store(StoreQueryParameters
                    .fromNameAndType(FrameIntakeTopology.INTAKE_STORE, QueryableStoreTypes.keyValueStore()));
            FrameIntake intake = store.get(streamId);
            return intake == null ? new Lookup.Unknown() : new Lookup.Found(intake);
        } catch (InvalidStateStoreException e) {
            return new Lookup.Unavailable(e.getMessage());
        }
    }

    /**
     * Null when this instance owns the stream's state (or runs alone); else {@link Lookup.OwnedElsewhere} with the
     * owner's application server, or {@link Lookup.Unavailable} when ownership cannot be known now. The stream's
     * context state lives with its memory, on the same owner.
     */
    public Lookup ownerElsewhere(String streamId) {
        KafkaStreams kafkaStreams = streams.streams();
        KafkaStreams.State state = kafkaStreams.state();
        if (!state.isRunningOrRebalancing()) {
            return new Lookup.Unavailable("Kafka Streams is " + state);
        }
        if (self == null) {
            return null;
        }
        try {
            KeyQueryMetadata owner = kafkaStreams.queryMetadataForKey(FrameIntakeTopology.INTAKE_STORE, streamId,
                    Serdes.String().serializer());
            if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
                return new Lookup.Unavailable("the owner of stream '" + streamId + "' is not known yet");
            }
            return owner.activeHost().equals(self) ? null
                    : new Lookup.OwnedElsewhere(owner.activeHost().host(), owner.activeHost().port());
        } catch (InvalidStateStoreException e) {
            return new Lookup.Unavailable(e.getMessage());
        }
    }
}
