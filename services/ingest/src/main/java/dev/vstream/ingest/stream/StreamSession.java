package dev.vstream.ingest.stream;

import dev.vstream.api.stream.StreamRegistration;
import dev.vstream.api.stream.StreamState;
import dev.vstream.api.stream.StreamStatus;
import dev.vstream.ingest.source.SourceSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One registered stream: its life-cycle state, counters and the permits that bound its unacknowledged
 * frames. Written by the stream's reader thread and the producer's callback thread, read by REST calls.
 */
public final class StreamSession {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private final StreamRegistration registration;
    private final SourceSpec spec;
    private final Instant startedAt = Instant.now();
    private final int capacity;
    private final Semaphore permits;
    private final StreamMetrics metrics;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong framesRead = new AtomicLong();
    private final AtomicLong framesPublished = new AtomicLong();
    /** Sent, not yet completed; counted apart from the permits, which {@link #drain} briefly takes all of. */
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong lastPtsMicros = new AtomicLong(-1);
    private final AtomicLong lagMillis = new AtomicLong();
    private final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicReference<Exception> publishFailure = new AtomicReference<>();
    private volatile StreamState state = StreamState.STARTING;
    private volatile String lastError;
    private volatile long updatedAtMillis = startedAt.toEpochMilli();

    StreamSession(StreamRegistration registration, SourceSpec spec, int capacity, MeterRegistry meters) {
        this.registration = registration;
        this.spec = spec;
        this.capacity = capacity;
        this.permits = new Semaphore(capacity);
        this.metrics = new StreamMetrics(meters, registration.id(), this::framesPending);
    }

    public String id() {
        return registration.id();
    }

    public StreamRegistration registration() {
        return registration;
    }

    public SourceSpec spec() {
        return spec;
    }

    public StreamState state() {
        return state;
    }

    public StreamStatus status() {
        return new StreamStatus(id(), registration.source(), state, framesRead.get(), framesPublished.get(), framesPending(),
                lastPtsMicros.get(), lagMillis.get(), reconnects.get(), lastError, startedAt, Instant.ofEpochMilli(updatedAtMillis));
    }

    public long framesPending() {
        return pending.get();
    }

    // ---- control, from REST and shutdown ----

    public void requestStop() {
        stopSignal.countDown();
    }

    public boolean stopRequested() {
        return stopSignal.getCount() == 0;
    }

    /** Waits until the reader thread has left, at most {@code timeout}. */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Sets the final state of a stream whose reader did not finish in time (stuck in a native call). */
    void forceStopped() {
        transition(StreamState.STOPPED, null);
    }

    // ---- reader-thread side ----

    /** Waits up to {@code nanos}; true when a stop was requested meanwhile (or before). */
    boolean sleepUnlessStopped(long nanos) throws InterruptedException {
        return nanos > 0 ? stopSignal.await(nanos, TimeUnit.NANOSECONDS) : stopRequested();
    }

    void transition(StreamState next, String error) {
        synchronized (this) {
            if (state.isTerminal()) {
                return; // final states stay final: a stopped stream that then fails is still stopped
            }
            state = next;
            if (error != null) {
                lastError = error;
            }
            touch();
        }
    }

    void reconnecting(String error) {
        reconnects.incrementAndGet();
        transition(StreamState.RECONNECTING, error);
    }

    void frameRead() {
        framesRead.incrementAndGet();
        metrics.frameRead();
        touch();
    }

    /** Blocks while the stream's queue of unacknowledged frames is full; false when a stop came first. */
    boolean acquirePermit() throws InterruptedException {
        while (!permits.tryAcquire(POLL_NANOS, TimeUnit.NANOSECONDS)) {
            if (stopRequested()) {
                return false;
            }
        }
        pending.incrementAndGet();
        return true;
    }

    /** Producer callback: one sent frame is done, acknowledged (error null) or failed. */
    void completed(long ptsMicros, long lagReferenceNanos, Exception error) {
        if (error == null) {
            framesPublished.incrementAndGet();
            lastPtsMicros.accumulateAndGet(ptsMicros, Math::max);
            lagMillis.set(Math.max(0, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lagReferenceNanos)));
            metrics.framePublished();
        } else {
            publishFailure.compareAndSet(null, error);
        }
        pending.decrementAndGet();
        permits.release();
        touch();
    }

    /** The first failed send, if any: a stream with a hole in its sequence must not go on. */
    Exception publishFailure() {
        return publishFailure.get();
    }

    /** Waits until every sent frame is acknowledged or failed; false on timeout or stop request. */
    boolean drain(Duration timeout, boolean stopAware) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!permits.tryAcquire(capacity, Math.min(POLL_NANOS, Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS)) {
            if ((stopAware && stopRequested()) || System.nanoTime() >= deadline) {
                return false;
            }
        }
        permits.release(capacity);
        return true;
    }

    void finished() {
        finished.countDown();
    }

    boolean isFinished() {
        return finished.getCount() == 0;
    }

    StreamMetrics metrics() {
        return metrics;
    }

    private void touch() {
        updatedAtMillis = System.currentTimeMillis();
    }
}
