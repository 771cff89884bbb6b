package dev.vstream.memory.intake;

import dev.vstream.api.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * Frame intake counters: {@code vstream.memory.frames.accepted} and {@code vstream.memory.frames.dead.lettered}
 * tagged {@code reason} with a {@link RejectionKind#tag()}, registered up front so every kind reads 0 until it
 * happens. Counted when processed: a transaction that aborts and is replayed counts its records again.
 */
public final class IntakeMetrics {
    private final Counter accepted;
    private final Map<RejectionKind, Counter> deadLettered = new EnumMap<>(RejectionKind.class);

    public IntakeMetrics(MeterRegistry registry) {
        accepted = Counter.builder("vstream.memory.frames.accepted")
                .description("Frames taken into a stream's state").register(registry);
        for (RejectionKind kind : RejectionKind.values()) {
            deadLettered.put(kind, Counter.builder("vstream.memory.frames.dead.lettered")
                    .description("Records sent to " + Topics.FRAMES_DLQ.name() + " with the reason in their headers")
                    .tag("reason", kind.tag()).register(registry));
        }
    }

    void accepted() {
        accepted.increment();
    }

    void deadLettered(RejectionKind kind) {
        deadLettered.get(kind).increment();
    }
}
