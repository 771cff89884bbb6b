package dev.vstream.ingest.stream;

import dev.vstream.api.frame.FrameEncoding;
import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.stream.PlaybackMode;
import dev.vstream.api.stream.StreamRegistration;
import dev.vstream.api.stream.StreamState;
import dev.vstream.ingest.ffmpeg.FfmpegException;
import dev.vstream.ingest.picture.JpegFrameEncoder;
import dev.vstream.ingest.publish.FramePublisher;
import dev.vstream.ingest.sampling.PtsSampler;
import dev.vstream.ingest.source.DecodedPicture;
import dev.vstream.ingest.source.SourceException;
import dev.vstream.ingest.source.SourceSpec;
import dev.vstream.ingest.source.VideoSource;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reader of one stream, top to bottom: open the source, decode, sample by pts, pace (REALTIME files),
 * resize and JPEG-encode the kept frames, publish them with bounded in-flight frames; reopen live sources
 * with exponential backoff after a drop; end COMPLETED, FAILED or STOPPED. Runs on its own thread; no
 * exception leaves {@link #run()}.
 */
final class StreamRunner implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StreamRunner.class);
    /** A source clock that jumps back further than this started over (camera restart, concatenated files). */
    private static final long BACKWARD_JUMP_MICROS = 500_000;

    private final StreamSession session;
    private final StreamRegistration registration;
    private final SourceSpec spec;
    private final StreamSettings settings;
    private final FramePublisher publisher;
    private final boolean paced;
    private final long runStartNanos = System.nanoTime();
    private Timeline timeline;
    private long sequence;
    private long lastPublishedPts = -1;

    StreamRunner(StreamSession session, StreamSettings settings, FramePublisher publisher) {
        this.session = session;
        this.registration = session.registration();
        this.spec = session.spec();
        this.settings = settings;
        this.publisher = publisher;
        this.paced = !spec.live() && registration.playback() == PlaybackMode.REALTIME;
    }

    @Override
    public void run() {
        try (JpegFrameEncoder encoder = new JpegFrameEncoder(registration.width(), registration.height(), registration.resize(),
                registration.jpegQuality())) {
            ingest(encoder);
        } catch (FfmpegException e) {
            fail("cannot set up the JPEG encoder: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            session.transition(StreamState.STOPPED, null);
            log.info("stream {} stopped: interrupted", session.id());
        } catch (RuntimeException | LinkageError e) {
            // Last line of defence: a bug in one stream must not take the others down with it.
            log.error("stream {} failed on an internal error", session.id(), e);
            session.transition(StreamState.FAILED, "internal error: " + e);
        } finally {
            session.finished();
        }
    }

    private void ingest(JpegFrameEncoder encoder) throws InterruptedException {
        Duration backoff = settings.reconnectBackoffInitial();
        boolean opened = false;
        while (!session.stopRequested()) {
            String dropReason;
            try (VideoSource source = VideoSource.open(spec, settings.sourceTimeout(), settings.devicesProblem())) {
                logOpened(source, opened);
                opened = true;
                session.transition(StreamState.RUNNING, null);
                timeline = new Timeline(source.frameRate());
                if (pump(source, encoder)) {
                    backoff = settings.reconnectBackoffInitial();
                }
                if (session.stopRequested()) {
                    break;
                }
                if (!spec.live()) {
                    complete(source);
                    return;
                }
                dropReason = "source ended";
            } catch (SourceException e) {
                if (session.stopRequested()) {
                    break;
                }
                if (!spec.live() || !opened) {
                    fail(e.getMessage());
                    return;
                }
                dropReason = e.getMessage();
            } catch (FfmpegException e) {
                fail("cannot convert frames: " + e.getMessage());
                return;
            } catch (PublishFailedException e) {
                fail(e.getMessage());
                return;
            }
            session.reconnecting(dropReason);
            log.warn("stream {} reconnecting in {} ms (reconnect {}): {}", session.id(), backoff.toMillis(),
                    session.status().reconnects(), dropReason);
            if (session.sleepUnlessStopped(backoff.toNanos())) {
                break;
            }
            backoff = backoff.multipliedBy(2).compareTo(settings.reconnectBackoffMax()) > 0
                    ? settings.reconnectBackoffMax() : backoff.multipliedBy(2);
        }
        session.drain(settings.stopTimeout(), false);
        session.transition(StreamState.STOPPED, null);
        log.info("stream {} stopped: {} frames read, {} published", session.id(), session.status().framesRead(),
                session.status().framesPublished());
    }

    /**
     * Reads the source until it ends or the stream is stopped.
     *
     * @return whether at least one frame was published from this opening
     */
    private boolean pump(VideoSource source, JpegFrameEncoder encoder)
            throws SourceException, FfmpegException, PublishFailedException, InterruptedException {
        boolean produced = false;
        while (!session.stopRequested()) {
            checkPublishing();
            DecodedPicture picture = source.next();
            if (picture == null) {
                return produced;
            }
            long decodedAt = System.nanoTime();
            session.frameRead();
            long pts = timeline.sourcePts(picture, decodedAt, spec.live());
            if (timeline.jumpedBack(pts)) {
                timeline = timeline.restart(source.frameRate());
            }
            if (!timeline.keep(pts, decodedAt)) {
                continue;
            }
            long elapsed = timeline.elapsedMicros(pts);
            long publishedPts = timeline.basePts + elapsed;
            long dueNanos = timeline.wallStartNanos + elapsed * 1000;
            if (paced && session.sleepUnlessStopped(dueNanos - System.nanoTime())) {
                return produced;
            }
            byte[] jpeg = encoder.encode(picture.picture());
            if (!session.acquirePermit()) {
                return produced;
            }
            publish(jpeg, publishedPts, paced || spec.live() ? dueNanos : decodedAt);
            produced = true;
        }
        return produced;
    }

    private void publish(byte[] jpeg, long publishedPts, long lagReferenceNanos) {
        FrameRecord frame;
        try {
            frame = new FrameRecord(registration.id(), sequence, publishedPts, registration.width(), registration.height(),
                    FrameEncoding.JPEG, jpeg);
        } catch (IllegalArgumentException e) {
            session.completed(publishedPts, lagReferenceNanos, e); // returns the permit and fails the stream
            return;
        }
        publisher.publish(frame, error -> session.completed(publishedPts, lagReferenceNanos, error));
        sequence++;
        lastPublishedPts = publishedPts;
    }

    private void checkPublishing() throws PublishFailedException {
        Exception failure = session.publishFailure();
        if (failure != null) {
            throw new PublishFailedException("publishing to Kafka failed: " + failure.getMessage());
        }
    }

    /** A file (or lavfi graph) was read to its end: done once every frame is acknowledged. */
    private void complete(VideoSource source) throws InterruptedException, PublishFailedException {
        String shortfall = timeline.shortfall(source.durationMicros());
        if (shortfall != null) {
            fail(shortfall + " (" + spec.redacted() + ", codec " + source.codecName() + ")");
            return;
        }
        while (!session.drain(Duration.ofMillis(200), true)) {
            if (session.stopRequested()) {
                session.drain(settings.stopTimeout(), false);
                session.transition(StreamState.STOPPED, null);
                log.info("stream {} stopped while finishing", session.id());
                return;
            }
            checkPublishing();
        }
        checkPublishing();
        session.transition(StreamState.COMPLETED, null);
        log.info("stream {} completed: {} frames read, {} published", session.id(), session.status().framesRead(),
                session.status().framesPublished());
    }

    private void fail(String error) {
        try {
            session.drain(settings.stopTimeout(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        session.transition(StreamState.FAILED, error);
        log.warn("stream {} failed: {}", session.id(), error);
    }

    private void logOpened(VideoSource source, boolean reopened) {
        if (reopened) {
            log.info("stream {} reconnected to {}", session.id(), spec.redacted());
            return;
        }
        log.info("stream {} started: {} ({} {}x{} {} fps) -> {}x{} {} at {} fps, {}", session.id(), spec.redacted(),
                source.codecName(), source.width(), source.height(), String.format(Locale.ROOT, "%.2f", source.frameRate()),
                registration.width(), registration.height(), registration.resize(), registration.targetFps(),
                spec.live() ? "live" : registration.playback());
    }

    /**
     * The mapping from one opening's source clock to the published clock: published pts = base + (source pts -
     * first source pts). The base is 0 for the first opening and continues after the last published frame
     * (or the wall-clock time since the stream started, if later) for the next, so published pts never go back.
     */
    private final class Timeline {
        private final PtsSampler sampler = new PtsSampler(registration.targetFps());
        private final long nominalIntervalMicros;
        private final long basePts;
        private long wallStartNanos;
        private long firstSourcePts = Long.MIN_VALUE;
        private long lastSourcePts = Long.MIN_VALUE;
        private long maxSourcePts = Long.MIN_VALUE;
        private boolean restarted;

        Timeline(double frameRate) {
            this.nominalIntervalMicros = frameRate > 0 ? Math.round(1e6 / frameRate) : 40_000;
            long afterLast = lastPublishedPts < 0 ? 0 : lastPublishedPts + Math.round(sampler.slotMicros());
            long wallClock = lastPublishedPts < 0 ? 0 : (System.nanoTime() - runStartNanos) / 1000;
            this.basePts = Math.max(afterLast, spec.live() ? wallClock : 0);
        }

        /** The frame's pts; a frame without one gets the wall clock (live) or one frame interval after the last. */
        long sourcePts(DecodedPicture picture, long decodedAt, boolean live) {
            if (picture.hasPts()) {
                return picture.ptsMicros();
            }
            if (lastSourcePts == Long.MIN_VALUE) {
                return 0;
            }
            return live ? firstSourcePts + (decodedAt - wallStartNanos) / 1000 : lastSourcePts + nominalIntervalMicros;
        }

        boolean jumpedBack(long pts) {
            return lastSourcePts != Long.MIN_VALUE && pts < lastSourcePts - BACKWARD_JUMP_MICROS;
        }

        Timeline restart(double frameRate) {
            Timeline next = new Timeline(frameRate);
            next.restarted = true;
            return next;
        }

        boolean keep(long pts, long decodedAt) {
            if (firstSourcePts == Long.MIN_VALUE) {
                firstSourcePts = pts;
                wallStartNanos = decodedAt;
            }
            lastSourcePts = pts;
            maxSourcePts = Math.max(maxSourcePts, pts);
            return sampler.accept(pts);
        }

        long elapsedMicros(long pts) {
            return sampler.elapsedMicros(pts);
        }

        /**
         * For a source that ended: why it looks truncated or undecodable, or null when it does not. The grabber
         * skips what it cannot decode, so a damaged file shows as frames that stop well before its duration.
         */
        String shortfall(long durationMicros) {
            if (firstSourcePts == Long.MIN_VALUE) {
                return "no video frame could be decoded: the file is damaged or its codec unsupported";
            }
            if (restarted || durationMicros <= 0) {
                return null;
            }
            long decoded = maxSourcePts - firstSourcePts + nominalIntervalMicros;
            long tolerance = Math.max(1_000_000, durationMicros / 10);
            if (decoded < durationMicros - tolerance) {
                return String.format(Locale.ROOT, "source ended after %.1f s of its %.1f s: the file is truncated or damaged",
                        decoded / 1e6, durationMicros / 1e6);
            }
            return null;
        }
    }

    private static final class PublishFailedException extends Exception {
        PublishFailedException(String message) {
            super(message);
        }
    }
}
