package dev.vstream.ingest.stream;

import dev.vstream.api.stream.StreamRegistration;
import dev.vstream.api.stream.StreamStatus;
import dev.vstream.ingest.publish.FramePublisher;
import dev.vstream.ingest.source.SourceSpec;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams this instance ingests. Each runs on its own platform thread: decoding happens in native
 * code, which would pin a virtual thread's carrier for as long as a frame takes, so virtual threads would
 * buy nothing and could starve each other; the number of threads is bounded by {@code maxStreams}.
 * Finished streams stay listed (at most {@code maxStreams} of them, oldest dropped first) until deleted or
 * registered again.
 */
public final class StreamRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamRegistry.class);
    private final Map<String, StreamSession> sessions = new ConcurrentHashMap<>();
    private final StreamSettings settings;
    private final FramePublisher publisher;
    private final MeterRegistry meters;

    public StreamRegistry(StreamSettings settings, FramePublisher publisher, MeterRegistry meters) {
        this.settings = settings;
        this.publisher = publisher;
        this.meters = meters;
        Gauge.builder("vstream.ingest.streams.active", this, StreamRegistry::activeCount)
                .description("Streams not yet completed, failed or stopped").register(meters);
    }

    /**
     * Starts ingesting a stream.
     *
     * @throws InvalidSourceException      when the source cannot be understood
     * @throws StreamConflictException      when a stream with this id is still active
     * @throws StreamCapacityException      when maxStreams streams are active
     */
    public synchronized StreamStatus register(StreamRegistration registration) {
        SourceSpec spec;
        try {
            spec = SourceSpec.parse(registration.source());
        } catch (IllegalArgumentException e) {
            throw new InvalidSourceException(e.getMessage(), e);
        }
        StreamSession existing = sessions.get(registration.id());
        if (existing != null && !existing.state().isTerminal()) {
            throw new StreamConflictException(registration.id(), existing.state());
        }
        if (activeCount() >= settings.maxStreams()) {
            throw new StreamCapacityException(settings.maxStreams());
        }
        if (existing != null) {
            discard(existing);
        }
        evictFinished();
        StreamSession session = new StreamSession(registration, spec, settings.queueCapacity(), meters);
        sessions.put(registration.id(), session);
        Thread.ofPlatform().name("ingest-" + registration.id()).daemon(true).start(new StreamRunner(session, settings, publisher));
        return session.status();
    }

    public List<StreamStatus> list() {
        return sessions.values().stream().map(StreamSession::status).sorted(Comparator.comparing(StreamStatus::id)).toList();
    }

    /** @throws StreamNotFoundException when no stream has this id */
    public StreamStatus status(String id) {
        return session(id).status();
    }

    /**
     * Stops a stream (if still active), waits for its reader to leave and its sent frames to be acknowledged
     * (at most stopTimeout), forgets it and returns its final status.
     *
     * @throws StreamNotFoundException when no stream has this id
     */
    public StreamStatus stop(String id) throws InterruptedException {
        StreamSession session = session(id);
        stopAndWait(List.of(session));
        synchronized (this) {
            sessions.remove(id, session);
        }
        session.metrics().remove();
        return session.status();
    }

    public long activeCount() {
        return sessions.values().stream().filter(s -> !s.state().isTerminal()).count();
    }

    /** Stops every stream, waiting at most stopTimeout for all of them together. */
    @Override
    public void close() {
        List<StreamSession> all = List.copyOf(sessions.values());
        if (!all.isEmpty()) {
            log.info("stopping {} streams", all.stream().filter(s -> !s.state().isTerminal()).count());
        }
        try {
            stopAndWait(all);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the readers are daemon threads: they cannot hold the JVM up
        }
    }

    private void stopAndWait(List<StreamSession> targets) throws InterruptedException {
        targets.forEach(StreamSession::requestStop);
        long deadline = System.nanoTime() + settings.stopTimeout().toNanos() + Duration.ofSeconds(1).toNanos();
        for (StreamSession session : targets) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (!session.awaitFinished(left)) {
                log.warn("stream {} did not stop within {} ms; abandoning its reader", session.id(), settings.stopTimeout().toMillis());
                session.forceStopped();
            }
        }
    }

    private StreamSession session(String id) {
        StreamSession session = sessions.get(id);
        if (session == null) {
            throw new StreamNotFoundException(id);
        }
        return session;
    }

    private void discard(StreamSession session) {
        sessions.remove(session.id(), session);
        session.metrics().remove();
    }

    /** Keeps at most maxStreams finished streams listed, dropping the least recently updated. */
    private void evictFinished() {
        List<StreamSession> finished = sessions.values().stream().filter(s -> s.state().isTerminal())
                .sorted(Comparator.comparing(s -> s.status().updatedAt())).toList();
        for (int i = 0; i < finished.size() - settings.maxStreams() + 1; i++) {
            discard(finished.get(i));
        }
    }
}
