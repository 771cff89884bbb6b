package dev.vstream.memory.intake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Memory update meters: {@code vstream.memory.frames.updated} (frames taken into a memory; its rate is frames/s),
 * {@code vstream.memory.update.latency} (JPEG decode + encoder + STAR update + state and snapshot encoding, with
 * p50/p90/p99), {@code vstream.memory.state.bytes} and {@code vstream.memory.snapshot.bytes} (per stream and frame:
 * the memory state written to the stores, and so to their changelogs, which is the core and one buffered frame,
 * and the snapshot published) and {@code vstream.memory.streams.expired}. Consumer lag comes with
 * the Kafka Streams client metrics ({@code kafka.consumer.fetch.manager.records.lag.max}).
 */
public final class MemoryMetrics {
    private final Counter updated;
    private final Timer latency;
    private final DistributionSummary stateBytes;
    private final DistributionSummary snapshotBytes;
    private final Counter expired;

    public MemoryMetrics(MeterRegistry registry) {
        updated = Counter.builder("vstream.memory.frames.updated")
                .description("Frames taken into a stream's memory").register(registry);
        latency = Timer.builder("vstream.memory.update.latency")
                .description("Decode, encode and memory update of one frame, with its state and snapshot encoded")
                .publishPercentiles(0.5, 0.9, 0.99).register(registry);
        stateBytes = DistributionSummary.builder("vstream.memory.state.bytes").baseUnit("bytes")
                .description("Memory state bytes one frame writes to the stores: the core and one buffered frame").publishPercentiles(0.5, 0.99)
                .register(registry);
        snapshotBytes = DistributionSummary.builder("vstream.memory.snapshot.bytes").baseUnit("bytes")
                .description("Size of a published memory snapshot").register(registry);
        expired = Counter.builder("vstream.memory.streams.expired")
                .description("Streams whose memory and intake were deleted after their idle time").register(registry);
    }

    void updated(long nanos, long stateSize, int snapshotSize) {
        updated.increment();
        latency.record(nanos, TimeUnit.NANOSECONDS);
        stateBytes.record(stateSize);
        snapshotBytes.record(snapshotSize);
    }

    void expired() {
        expired.increment();
    }
}
