package dev.vstream.memory.streams;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the frame intake topology for the life of the application context. A stream thread that dies of an
 * unexpected error shuts the client down and marks the application's liveness broken, so the orchestrator
 * restarts it; exactly-once processing resumes from the last committed transaction.
 */
public final class FrameIntakeStreams implements SmartLifecycle, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FrameIntakeStreams.class);

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics metrics;
    private final Duration closeTimeout;
    private volatile boolean started;
    private volatile boolean reachedRunning;
    private final AtomicBoolean closed = new AtomicBoolean();

    FrameIntakeStreams(Topology topology, Properties config, Duration closeTimeout, MeterRegistry registry,
                       ApplicationEventPublisher events) {
        this.streams = new KafkaStreams(topology, config);
        this.closeTimeout = closeTimeout;
        streams.setStateListener((now, before) -> {
            log.info("Kafka Streams {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                reachedRunning = true;
            }
            if (now == KafkaStreams.State.ERROR) {
                AvailabilityChangeEvent.publish(events, this, LivenessState.BROKEN);
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            log.error("A stream thread failed; shutting Kafka Streams down so the instance is restarted", e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        this.metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
    }

    @Override
    public void start() {
        log.info("Starting Kafka Streams application {}", streams);
        streams.start();
        started = true;
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    @Override
    public void close() {
        started = false;
        if (closed.getAndSet(true)) {
            return;
        }
        metrics.close();
        // Leave the group on a clean stop: otherwise the next start (or another instance) waits out the session
        // timeout before it gets this instance's partitions.
        if (!streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(closeTimeout))) {
            log.warn("Kafka Streams did not close within {}", closeTimeout);
        }
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Whether the client got to RUNNING at least once: a later rebalance is routine, a first one is start-up. */
    public boolean hasBeenRunning() {
        return reachedRunning;
    }

    KafkaStreams streams() {
        return streams;
    }
}
