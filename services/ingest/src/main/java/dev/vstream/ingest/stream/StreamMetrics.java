package dev.vstream.ingest.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.Supplier;

/**
 * A stream's meters, tagged {@code stream=<id>}: vstream_ingest_frames_read_total,
 * vstream_ingest_frames_published_total and vstream_ingest_frames_in_flight. Removed with the stream so
 * tags of long-gone streams do not pile up.
 */
final class StreamMetrics {
    private final MeterRegistry registry;
    private final Counter read;
    private final Counter published;
    private final Gauge inFlight;

    StreamMetrics(MeterRegistry registry, String streamId, Supplier<Number> inFlight) {
        this.registry = registry;
        this.read = Counter.builder("vstream.ingest.frames.read").description("Decoded source frames, before sampling")
                .tag("stream", streamId).register(registry);
        this.published = Counter.builder("vstream.ingest.frames.published").description("Sampled frames acknowledged by Kafka")
                .tag("stream", streamId).register(registry);
        this.inFlight = Gauge.builder("vstream.ingest.frames.in.flight", inFlight).description("Frames sent but not yet acknowledged")
                .tag("stream", streamId).register(registry);
    }

    void frameRead() {
        read.increment();
    }

    void framePublished() {
        published.increment();
    }

    void remove() {
        for (Meter meter : List.of(read, published, inFlight)) {
            registry.remove(meter);
        }
    }
}
