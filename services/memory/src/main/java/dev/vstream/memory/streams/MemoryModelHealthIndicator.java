package dev.vstream.memory.streams;

import dev.vstream.memory.encoder.MemoryModel;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Whether memories are kept, part of the readiness group. With a model: UP, naming the encoder. Without one the
 * service still checks and dead-letters frames, so it stays ready, but the status is {@code NO_MEMORY} with the
 * reason (memory.yaml maps it to HTTP 200 and orders it below UP, so readiness shows it).
 */
public final class MemoryModelHealthIndicator implements HealthIndicator {
    /** Frames are checked, no memory is kept, no snapshot published. */
    public static final Status NO_MEMORY = new Status("NO_MEMORY", "frames are checked but no memory is kept");

    private final MemoryModel model;

    MemoryModelHealthIndicator(MemoryModel model) {
        this.model = model;
    }

    @Override
    public Health health() {
        return switch (model) {
            case MemoryModel.Loaded loaded -> Health.up()
                    .withDetail("encoder", loaded.encoder().identity().name())
                    .withDetail("encoderConfigSha256", loaded.encoder().identity().configSha256())
                    .withDetail("memoryTokens", loaded.star().maxTokens())
                    .withDetail("semanticAttention", loaded.attentionTrained() ? "trained" : "seeded random")
                    .withDetail("snapshotTokens", loaded.tokenType().name()).build();
            case MemoryModel.Unavailable unavailable -> Health.status(NO_MEMORY)
                    .withDetail("reason", unavailable.reason()).build();
        };
    }
}
