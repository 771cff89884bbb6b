package dev.vstream.memory.streams;

import org.apache.kafka.streams.KafkaStreams;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The Kafka Streams client's state as health, part of the readiness group: DOWN until the client first reaches
 * RUNNING (state restored, partitions assigned), UP from then on while it runs. A rebalance after that stays UP:
 * rebalances are routine, and taking every instance out of service on each one would make the API flap.
 */
public final class KafkaStreamsHealthIndicator implements HealthIndicator {
    private final FrameIntakeStreams streams;

    KafkaStreamsHealthIndicator(FrameIntakeStreams streams) {
        this.streams = streams;
    }

    @Override
    public Health health() {
        KafkaStreams.State state = streams.state();
        boolean up = state == KafkaStreams.State.RUNNING
                || (state == KafkaStreams.State.REBALANCING && streams.hasBeenRunning());
        return (up ? Health.up() : Health.down()).withDetail("state", state.name()).build();
    }
}
