package dev.vstream.ingest.sampling;

/**
 * Picks frames at a target rate by presentation time, never by frame count, so variable frame rates,
 * dropped frames and gaps give evenly spaced samples.
 *
 * <p>Slot k is due at {@code k / fps} after the first frame's pts (rounded to the microsecond, so slots do
 * not drift). A frame is kept when its pts reaches the next due slot less half a source frame interval:
 * the frame nearest to each slot wins, which for 30 fps to 5 fps keeps exactly every 6th frame even when
 * the container rounds pts down by a tick. The source interval is the smaller of the last two pts steps
 * (so the jump over a gap does not count as one), at most a slot. After a gap the next due slot is the
 * one after the kept frame's, so a gap never turns into a burst.
 *
 * <p>Frames whose pts does not advance (duplicates, reordered timestamps) are never kept. Not thread-safe.
 */
public final class PtsSampler {
    private static final long NONE = Long.MIN_VALUE;
    private final double slotMicros;
    private long firstPts = NONE;
    private long previousPts = NONE;
    private long previousStep = Long.MAX_VALUE;
    private long nextSlot;

    public PtsSampler(double targetFps) {
        if (!(targetFps > 0) || Double.isInfinite(targetFps)) {
            throw new IllegalArgumentException("target fps must be positive, got " + targetFps);
        }
        this.slotMicros = 1e6 / targetFps;
    }

    /** @return whether the frame with this presentation time (microseconds, any origin) is kept */
    public boolean accept(long ptsMicros) {
        if (firstPts == NONE) {
            firstPts = ptsMicros;
            previousPts = ptsMicros;
            nextSlot = 1;
            return true;
        }
        long step = ptsMicros - previousPts;
        if (step <= 0) {
            return false;
        }
        double tolerance = Math.min(Math.min(step, previousStep), slotMicros) / 2.0;
        previousPts = ptsMicros;
        previousStep = step;
        double reached = (ptsMicros - firstPts) + tolerance;
        if (reached < slotStart(nextSlot)) {
            return false;
        }
        // The slot this frame stands for; max() guards against floating-point rounding just below a slot edge.
        long slot = Math.max(nextSlot, (long) Math.floor(reached / slotMicros));
        nextSlot = slot + 1;
        return true;
    }

    /** Microseconds from the first frame to this pts; the first frame's pts once one was seen. */
    public long elapsedMicros(long ptsMicros) {
        if (firstPts == NONE) {
            throw new IllegalStateException("no frame seen yet");
        }
        return ptsMicros - firstPts;
    }

    /** The newest pts offered, kept or not; {@link Long#MIN_VALUE} before the first. */
    public long previousPts() {
        return previousPts;
    }

    public double slotMicros() {
        return slotMicros;
    }

    private long slotStart(long slot) {
        return Math.round(slot * slotMicros);
    }
}
