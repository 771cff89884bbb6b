package dev.vstream.ingest.stream;

import java.time.Duration;

/**
 * What the stream package needs from the service configuration.
 *
 * @param maxStreams             streams that may be active (not COMPLETED, FAILED or STOPPED) at once
 * @param queueCapacity          per stream, frames sent to Kafka but not yet acknowledged; the reader blocks beyond
 * @param sourceTimeout          socket open/read timeout of network sources
 * @param reconnectBackoffInitial first wait before reopening a dropped live source
 * @param reconnectBackoffMax    the wait doubles after each failed attempt up to this
 * @param stopTimeout            how long a stop waits for the reader to leave and sent frames to be acknowledged
 * @param devicesProblem         why lavfi/v4l2 inputs are unavailable, null when they are
 */
public record StreamSettings(int maxStreams, int queueCapacity, Duration sourceTimeout, Duration reconnectBackoffInitial,
                             Duration reconnectBackoffMax, Duration stopTimeout, String devicesProblem) {
    public StreamSettings {
        if (maxStreams < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("maxStreams and queueCapacity must be >= 1");
        }
        if (reconnectBackoffInitial.compareTo(reconnectBackoffMax) > 0) {
            throw new IllegalArgumentException("reconnectBackoffInitial must not exceed reconnectBackoffMax");
        }
    }
}
