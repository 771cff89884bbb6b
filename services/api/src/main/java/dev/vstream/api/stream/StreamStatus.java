package dev.vstream.api.stream;

import java.time.Instant;

/**
 * Body of {@code GET /v1/streams/{id}}: what ingest has done with a stream so far.
 *
 * @param id              stream id
 * @param source          the source as registered
 * @param state           life-cycle state
 * @param framesRead      decoded source frames (before sampling)
 * @param framesPublished sampled frames acknowledged by Kafka
 * @param framesPending   sampled frames sent but not yet acknowledged
 * @param lastPtsMicros   presentation time of the newest acknowledged frame, -1 before the first
 * @param lagMillis       how far publishing is behind the source: for paced sources, wall-clock time past the
 *                        newest acknowledged frame's due time; for FAST files, time from decode to acknowledgement
 * @param reconnects      times a live source was reopened after a drop
 * @param lastError       the most recent error, null if none
 * @param startedAt       when the stream was registered
 * @param updatedAt       when this status last changed
 */
public record StreamStatus(String id, String source, StreamState state, long framesRead, long framesPublished,
                           long framesPending, long lastPtsMicros, long lagMillis, int reconnects, String lastError,
                           Instant startedAt, Instant updatedAt) {
}
