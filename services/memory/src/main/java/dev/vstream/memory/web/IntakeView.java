package dev.vstream.memory.web;

import dev.vstream.memory.intake.FrameIntake;
import java.time.Instant;

/**
 * Body of {@code GET /v1/streams/{id}/intake}.
 *
 * @param streamId        the stream
 * @param framesAccepted  frames taken into the stream's state
 * @param framesRejected  well-formed frames dead-lettered as duplicates or out of order
 * @param framesMissing   sequence numbers skipped between accepted frames
 * @param lastSequence    sequence of the newest accepted frame
 * @param lastPtsMicros   its presentation time
 * @param lastAcceptedAt  its Kafka timestamp
 */
public record IntakeView(String streamId, long framesAccepted, long framesRejected, long framesMissing,
                         long lastSequence, long lastPtsMicros, Instant lastAcceptedAt) {

    static IntakeView of(String streamId, FrameIntake intake) {
        return new IntakeView(streamId, intake.framesAccepted(), intake.framesRejected(), intake.framesMissing(),
                intake.lastSequence(), intake.lastPtsMicros(),
                intake.lastAcceptedAtMs() < 0 ? null : Instant.ofEpochMilli(intake.lastAcceptedAtMs()));
    }
}
