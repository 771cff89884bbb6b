package dev.vstream.memory;

import dev.vstream.api.memory.TokenType;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.memory.encoder.StarSizes;
import dev.vstream.model.lm.KvPrecision;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
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
 * @param modelDir              checkpoint folder of the vision encoder (Hugging Face CLIP or SigLIP layout), or a folder
 *                              with it in a {@code vision} subfolder; an optional {@code attention_model.safetensors}
 *                              there holds the STAR semantic-attention q/k projections. Missing or unloadable: frames
 *                              are still checked, no memory is kept, readiness health says why
 * @param idleTimeout           a stream without accepted frames for this long (newest frame's Kafka timestamp against
 *                              the wall clock) loses its intake and memory, and its snapshot gets a tombstone
 * @param expiryCheckInterval   how often idle streams are looked for
 * @param snapshotTokens        value type of the snapshot tokens: F16 (half the bytes) or F32 (exact)
 * @param kernels               CPU kernels of the vision encoder: AUTO (Vector API where it pays), VECTOR or SCALAR
 * @param computeThreads        threads of the encoder's compute pool; 0 takes every available processor
 * @param star                  STAR memory sizes, the paper's by default (Flash-VStream 2024, section 3.4)
 * @param context               the language-model context prefill of each memory version (served to QA)
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
        @NotNull @DefaultValue("/models") Path modelDir,
        @NotNull @DurationMin(seconds = 1) @DefaultValue("10m") Duration idleTimeout,
        @NotNull @DurationMin(millis = 10) @DefaultValue("30s") Duration expiryCheckInterval,
        @NotNull @DefaultValue("F16") TokenType snapshotTokens,
        @NotNull @DefaultValue("AUTO") CpuKernels.Choice kernels,
        @Min(0) @Max(1024) @DefaultValue("0") int computeThreads,
        @NotNull @Valid @DefaultValue Star star,
        @NotNull @Valid @DefaultValue Context context) {

    /**
     * The context prefill ({@code vstream.memory.context.*}): after each memory update the language model reads the
     * memory (the shared prompt layout) and the resulting state is served to QA instances.
     *
     * @param modelDir        checkpoint folder of the language model, the same the QA service loads (config.json,
     *                        *.safetensors, tokenizer.json, the projector, optionally sparse_patterns.json); unset:
     *                        no context prefill, QA prefills from the MemorySnapshot itself (slower answers)
     * @param sparseMinTokens contexts longer than this many positions are prefilled with the model's MMInference
     *                        sparse patterns, shorter ones dense
     * @param refreshThreads  streams prefilled at the same time (each thread holds its own model instance)
     * @param computeThreads  threads of the model's kernels; 0 takes every available processor
     * @param kvPrecision     how a prefilled context keeps its attention keys and values: F32 (exact) or BF16 (half
     *                        the bytes held and served, half the memory traffic of each question at a long context)
     * @param windowFrames    the long window: each context reads, after the published memory, the stream's newest
     *                        this many frames at the memory's spatial resolution (P_spa) from the frames the memory
     *                        keeps for retrieval (at most star.buffer-frames); never published, so a QA fallback
     *                        prefill reads the memory without it. 0: none
     */
    public record Context(
            Path modelDir,
            @Min(0) @DefaultValue("16384") int sparseMinTokens,
            @Min(1) @Max(64) @DefaultValue("1") int refreshThreads,
            @Min(0) @Max(1024) @DefaultValue("0") int computeThreads,
            @NotNull @DefaultValue("F32") KvPrecision kvPrecision,
            @Min(0) @DefaultValue("0") int windowFrames) {
    }

    /**
     * STAR memory sizes ({@code vstream.memory.star.*}); the symbols are the paper's.
     *
     * @param spatialPool         P_spa: frames are average-pooled to P_spa x P_spa (must divide the encoder's grid)
     * @param temporalPool        P_tem: temporal slots are P_tem x P_tem
     * @param abstractPool        P_abs: abstract slots are P_abs x P_abs
     * @param spatialFrames       N_spa: newest frames kept at P_spa
     * @param temporalSlots       N_tem: weighted K-means clusters
     * @param abstractSlots       N_abs: semantic-attention slots
     * @param retrievedFrames     N_ret: frames retrieved for the heaviest clusters
     * @param bufferFrames        N_buff: newest frames kept for retrieval (the bulk of the stored state)
     * @param abstractUpdateRatio alpha of the abstract memory's momentum update
     * @param abstractChunkFrames frames per abstract update (1 as in the streaming code)
     * @param attentionDim        d of the semantic-attention q/k projections
     * @param kmeansIterations    most assignment passes of one K-means
     * @param seed                seed of the K-means initialisation (and of random q/k projections)
     */
    public record Star(
            @Min(1) @DefaultValue("8") int spatialPool,
            @Min(1) @DefaultValue("4") int temporalPool,
            @Min(1) @DefaultValue("1") int abstractPool,
            @Min(1) @DefaultValue("1") int spatialFrames,
            @Min(1) @DefaultValue("25") int temporalSlots,
            @Min(1) @DefaultValue("25") int abstractSlots,
            @Min(0) @DefaultValue("3") int retrievedFrames,
            @Min(1) @DefaultValue("300") int bufferFrames,
            @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") @DefaultValue("0.2") double abstractUpdateRatio,
            @Min(1) @DefaultValue("1") int abstractChunkFrames,
            @Min(1) @DefaultValue("32") int attentionDim,
            @Min(1) @DefaultValue("10") int kmeansIterations,
            @DefaultValue("0") long seed) {

        public StarSizes sizes() {
            return new StarSizes(spatialPool, temporalPool, abstractPool, spatialFrames, temporalSlots, abstractSlots,
                    retrievedFrames, bufferFrames, abstractUpdateRatio, abstractChunkFrames, attentionDim,
                    kmeansIterations, seed);
        }
    }

    public MemoryProperties {
        stateDir = stateDir != null ? stateDir : Path.of(System.getProperty("java.io.tmpdir"), "vstream-memory");
        computeThreads = computeThreads == 0 ? Runtime.getRuntime().availableProcessors() : computeThreads;
        if (replicationFactor == 0) {
            throw new IllegalArgumentException("vstream.memory.replication-factor must be -1 (broker default) or >= 1");
        }
        if (context.windowFrames() > star.bufferFrames()) {
            throw new IllegalArgumentException("vstream.memory.context.window-frames " + context.windowFrames()
                    + " exceeds vstream.memory.star.buffer-frames " + star.bufferFrames() + ": the long window is "
                    + "taken from the frames the memory keeps");
        }
    }
}
