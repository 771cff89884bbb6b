package dev.vstream.memory.intake;

import dev.vstream.api.frame.FrameRecord;

/**
 * What the memory service has taken in of one stream: the value of the intake store, keyed by stream id.
 * Frames of a stream must arrive in increasing sequence order; the first frame seen may have any sequence
 * (the topic's retention may have dropped the earlier ones), and later gaps are accepted and counted.
 * Sequence 0 after a higher one starts a new run of the stream (its source was registered anew, which
 * numbers frames from 0 again): it is accepted, not dead-lettered as out of order.
 *
 * @param framesAccepted    frames that passed the checks and were taken into the stream's state
 * @param framesRejected    well-formed frames of this stream that were dead-lettered for their sequence
 * @param framesMissing     sequence numbers skipped between accepted frames
 * @param lastSequence      sequence of the newest accepted frame, -1 before the first
 * @param lastPtsMicros     presentation time of the newest accepted frame, -1 before the first
 * @param lastAcceptedAtMs  Kafka timestamp (epoch millis) of the newest accepted frame, -1 before the first
 */
public record FrameIntake(long framesAccepted, long framesRejected, long framesMissing, long lastSequence,
                          long lastPtsMicros, long lastAcceptedAtMs) {

    /** The state of a stream no frame has been seen of. */
    public static final FrameIntake EMPTY = new FrameIntake(0, 0, 0, -1, -1, -1);

    public FrameIntake {
        if (framesAccepted < 0 || framesRejected < 0 || framesMissing < 0) {
            throw new IllegalArgumentException("counters must be >= 0");
        }
        if (framesAccepted == 0 && lastSequence != -1) {
            throw new IllegalArgumentException("lastSequence must be -1 before the first accepted frame, got " + lastSequence);
        }
    }

    /** What taking {@code frame} in does to this state: accepted, or dead-lettered with the reason. */
    public Admission admit(FrameRecord frame, long timestampMs) {
        long sequence = frame.sequence();
        if (framesAccepted > 0 && sequence == 0 && lastSequence > 0) {
            return new Admission.Accepted(new FrameIntake(framesAccepted + 1, framesRejected, framesMissing, 0,
                    frame.ptsMicros(), timestampMs));
        }
        if (framesAccepted > 0 && sequence == lastSequence) {
            return new Admission.Rejected(RejectionKind.DUPLICATE_SEQUENCE, "duplicate sequence " + sequence
                    + " of stream '" + frame.streamId() + "': already accepted", rejectedOne());
        }
        if (framesAccepted > 0 && sequence < lastSequence) {
            return new Admission.Rejected(RejectionKind.OUT_OF_ORDER, "out-of-order sequence " + sequence
                    + " of stream '" + frame.streamId() + "': sequence " + lastSequence + " was already accepted", rejectedOne());
        }
        long skipped = framesAccepted == 0 ? 0 : sequence - lastSequence - 1;
        return new Admission.Accepted(new FrameIntake(framesAccepted + 1, framesRejected, framesMissing + skipped,
                sequence, frame.ptsMicros(), timestampMs));
    }

    private FrameIntake rejectedOne() {
        return new FrameIntake(framesAccepted, framesRejected + 1, framesMissing, lastSequence, lastPtsMicros, lastAcceptedAtMs);
    }

    /** The outcome of {@link #admit}: the stream's next state either way, and a reason when the frame is refused. */
    public sealed interface Admission {
        FrameIntake next();

        record Accepted(FrameIntake next) implements Admission {
        }

        record Rejected(RejectionKind kind, String reason, FrameIntake next) implements Admission {
        }
    }
}
