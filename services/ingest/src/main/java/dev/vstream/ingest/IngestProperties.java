package dev.vstream.ingest;

import dev.vstream.ingest.ffmpeg.Ffmpeg;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The ingest service's settings, prefix {@code vstream.ingest} (environment: {@code VSTREAM_INGEST_*}).
 * Kafka itself is configured with Spring's {@code spring.kafka.*} keys, e.g. {@code spring.kafka.bootstrap-servers}.
 *
 * @param maxStreams              streams that may be active at once on this instance
 * @param queueCapacity           per stream, frames sent but not yet acknowledged by Kafka; the reader blocks beyond
 * @param sourceTimeout           socket open/read timeout of network sources (an unreachable URL fails after this)
 * @param reconnectBackoffInitial first wait before reopening a dropped live source
 * @param reconnectBackoffMax     the wait doubles after each failed reopening, up to this
 * @param stopTimeout             how long stopping a stream waits for its reader and its unacknowledged frames
 * @param producerLinger          Kafka producer linger.ms: how long a batch waits for more frames
 * @param createTopics            create vstream.frames (partitions, retention, max message size) at start-up
 * @param ffmpegLogLevel          what FFmpeg prints to stderr itself; ERROR and below print per-frame decoder complaints
 */
@Validated
@ConfigurationProperties("vstream.ingest")
public record IngestProperties(
        @DefaultValue("16") @Min(1) @Max(1024) int maxStreams,
        @DefaultValue("16") @Min(1) @Max(4096) int queueCapacity,
        @DefaultValue("10s") @NotNull @DurationMin(millis = 100) @DurationMax(minutes = 10) Duration sourceTimeout,
        @DefaultValue("500ms") @NotNull @DurationMin(millis = 1) Duration reconnectBackoffInitial,
        @DefaultValue("30s") @NotNull @DurationMin(millis = 1) @DurationMax(hours = 1) Duration reconnectBackoffMax,
        @DefaultValue("10s") @NotNull @DurationMin(millis = 0) @DurationMax(minutes = 10) Duration stopTimeout,
        @DefaultValue("5ms") @NotNull @DurationMin(millis = 0) @DurationMax(seconds = 60) Duration producerLinger,
        @DefaultValue("true") boolean createTopics,
        @DefaultValue("fatal") @NotNull Ffmpeg.LogLevel ffmpegLogLevel) {

    @AssertTrue(message = "reconnect-backoff-initial must not exceed reconnect-backoff-max")
    public boolean isBackoffOrdered() {
        return reconnectBackoffInitial == null || reconnectBackoffMax == null || reconnectBackoffInitial.compareTo(reconnectBackoffMax) <= 0;
    }
}
