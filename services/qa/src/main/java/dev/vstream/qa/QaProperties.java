package dev.vstream.qa;

import dev.vstream.model.lm.KvPrecision;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the QA service, bound from {@code vstream.qa.*} (env {@code VSTREAM_QA_*}).
 *
 * @param modelDir            checkpoint folder of the language model (Hugging Face layout: config.json,
 *                            *.safetensors, tokenizer.json, and the projector in mm_projector.safetensors or
 *                            inside the checkpoint); unset: the generated, untrained demo checkpoint
 * @param demoDir             where the demo checkpoint is generated on first use
 * @param demoVisionWidth     width of the visual tokens the demo projector takes (the vision encoder's hidden
 *                            size: 1024 for CLIP ViT-L/14)
 * @param computeThreads      threads of the model's kernels (0: all processors)
 * @param maxQuestionChars    longest question accepted (400 beyond)
 * @param maxTokensLimit      largest maxTokens accepted (400 beyond)
 * @param defaultMaxTokens    maxTokens when a question gives none
 * @param maxRequestSize      largest request body (413 beyond)
 * @param maxQueued           questions waiting for the model at most (503 beyond)
 * @param answerThreads       questions prefilled at the same time up to their first token, each on its own model
 *                            instance over the one loaded model's weights (more than the cores gives nothing)
 * @param decodeBatch         answers in progress advanced together by one batched decode step at most (more take
 *                            turns): concurrent questions share each step's weight reads
 * @param memoryUrl           the memory service's HTTP API (any instance: it redirects to the stream's owner), from
 *                            which prefilled contexts are fetched; unset: every context is prefilled here from the
 *                            snapshot (the fallback path, slower)
 * @param contextFetchTimeout how long fetching one context may take
 * @param contextRetryAfter   after the memory service could not serve a context, how long to prefill here without
 *                            asking it
 * @param contextCacheSize    context states kept here, least recently used out first (a full-size model's state
 *                            takes tens to hundreds of MB)
 * @param sparseMinTokens     a fallback prefill of a question that asks for sparse prefill is sparse above this many
 *                            positions (with the model's sparse_patterns.json)
 * @param kvPrecision         how a context prefilled here (the fallback) keeps its attention keys and values: F32
 *                            (exact) or BF16 (half the bytes in the context cache); set it as the memory service's
 *                            vstream.memory.context.kv-precision so both prefill the same state
 * @param memoryHistory       snapshots kept per stream, to answer from the one newest at a question's time
 * @param answerTimeout       how long a synchronous request waits for its answer (504 beyond)
 * @param asyncRetention      how long answers of async questions stay readable
 * @param asyncMaxKept        async questions kept at most (the oldest go first)
 * @param apiKey              when set, every /v1 request needs it in {@code X-API-Key} or
 *                            {@code Authorization: Bearer}; probes and metrics stay open
 * @param kafkaQuestions      answer questions from vstream.questions on vstream.answers
 * @param groupId             consumer group of the vstream.questions consumer
 */
@Validated
@ConfigurationProperties("vstream.qa")
public record QaProperties(Path modelDir,
                           @NotNull @DefaultValue("var/models/demo") Path demoDir,
                           @Min(1) @DefaultValue("1024") int demoVisionWidth,
                           @Min(0) @DefaultValue("0") int computeThreads,
                           @Min(1) @DefaultValue("2000") int maxQuestionChars,
                           @Min(1) @Max(65536) @DefaultValue("512") int maxTokensLimit,
                           @Min(1) @DefaultValue("64") int defaultMaxTokens,
                           @NotNull @DefaultValue("64KB") DataSize maxRequestSize,
                           @Min(1) @DefaultValue("32") int maxQueued,
                           @Min(1) @Max(64) @DefaultValue("1") int answerThreads,
                           @Min(1) @Max(256) @DefaultValue("16") int decodeBatch,
                           URI memoryUrl,
                           @NotNull @DefaultValue("30s") Duration contextFetchTimeout,
                           @NotNull @DefaultValue("5s") Duration contextRetryAfter,
                           @NotNull @DefaultValue("1GB") DataSize contextCacheSize,
                           @Min(0) @DefaultValue("16384") int sparseMinTokens,
                           @NotNull @DefaultValue("F32") KvPrecision kvPrecision,
                           @Min(1) @DefaultValue("8") int memoryHistory,
                           @NotNull @DefaultValue("5m") Duration answerTimeout,
                           @NotNull @DefaultValue("10m") Duration asyncRetention,
                           @Min(1) @DefaultValue("1000") int asyncMaxKept,
                           String apiKey,
                           @DefaultValue("true") boolean kafkaQuestions,
                           @NotNull @DefaultValue("vstream-qa") String groupId) {
    public QaProperties {
        if (defaultMaxTokens > maxTokensLimit) {
            throw new IllegalArgumentException("default-max-tokens " + defaultMaxTokens + " exceeds max-tokens-limit "
                    + maxTokensLimit);
        }
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
    }
}
