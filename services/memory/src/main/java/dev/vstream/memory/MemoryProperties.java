package dev.vstream.memory;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the memory service, bound from {@code vstream.memory.*} (env {@code VSTREAM_MEMORY_*}).
 * The broker address is Spring's own {@code spring.kafka.bootstrap-servers}.
 *
 * @param applicationId         Kafka Streams application id: consumer group, transactional id prefix and the prefix
 *                              of the changelog topics, so changing it starts the intake state from scratch
 * @param stateDir              where RocksDB keeps the local state stores; on a persistent volume a restart restores
 *                              only the changelog tail instead of the whole store. Default: vstream-memory in the
 *                              JVM's temporary directory, for runs outside a container (the images set a volume)
 * @param streamThreads         stream threads of this instance; more than the partitions it owns stay idle
 * @param commitInterval        how often a transaction commits under exactly-once: the latency of dead letters and of
 *                              what interactive queries see
 * @param replicationFactor     replication factor of the changelog topics this application creates; -1 takes the
 *                              broker's default.replication.factor
 * @param applicationServer     {@code host:port} under which other instances reach this one's HTTP API; set when more
 *                              than one instance runs, so a stream's intake can be found on whichever owns it
 * @param deadLetterLogInterval at most one log line per rejection kind in this interval (every record at debug)
 * @param shutdownTimeout       how long closing Kafka Streams may take on shutdown
 * @param modelDir              checkpoint folder of the vision encoder and LM (Hugging Face layout); read by the memory
 *                              issue, nothing is loaded from it yet
 */
@Validated
@ConfigurationProperties("vstream.memory")
public record MemoryProperties(
        @NotNull @Pattern(regexp = "[A-Za-z0-9._-]{1,200}") @DefaultValue("vstream-memory") String applicationId,
        @NotNull Path stateDir,
        @Min(1) @Max(64) @DefaultValue("1") int streamThreads,
        @NotNull @DurationMin(millis = 10) @DefaultValue("200ms") Duration commitInterval,
        @Min(-1) @Max(16) @DefaultValue("-1") int replicationFactor,
        @Pattern(regexp = "[^:\\s]+:\\d{1,5}") String applicationServer,
        @NotNull @DurationMin(millis = 1) @DefaultValue("1m") Duration deadLetterLogInterval,
        @NotNull @DurationMin(millis = 1) @DefaultValue("30s") Duration shutdownTimeout,
        @NotNull @DefaultValue("/models") Path modelDir) {

    public MemoryProperties {
        stateDir = stateDir != null ? stateDir : Path.of(System.getProperty("java.io.tmpdir"), "vstream-memory");
        if (replicationFactor == 0) {
            throw new IllegalArgumentException("vstream.memory.replication-factor must be -1 (broker default) or >= 1");
        }
    }
}
