package dev.vstream.api.question;

import java.util.Objects;

/**
 * An answer with what it was computed from and what it cost: the body of a synchronous answer, of
 * {@code GET /v1/questions/{qid}} once done, of the final SSE event, and the payload of {@link AnswerRecord}.
 *
 * @param questionId         the question's id
 * @param streamId           the stream asked about
 * @param answer             the generated text (stop string and end-of-sequence token excluded)
 * @param finishReason       {@code stop} (end-of-sequence token or a stop string) or {@code length} (maxTokens)
 * @param memoryVersion      version of the MemorySnapshot the answer used: the newest at the question's time
 * @param contextVersion     memory version the language-model context was prefilled from (equal to
 *                           memoryVersion on the fallback path)
 * @param newestFramePtsMicros presentation time of the newest frame in that memory
 * @param newestFrameWallClockMs Kafka time (epoch ms) of the newest frame in that memory
 * @param stalenessMs        question time minus newestFrameWallClockMs (how old the memory was when asked)
 * @param memoryTokens       visual memory tokens in the prompt
 * @param promptTokens       every prompt position: layout text, memory tokens and the question
 * @param generatedTokens    tokens generated
 * @param timeToFirstTokenMs from the start of answering to the first generated token
 * @param totalMs            from the start of answering to the last token
 * @param queuedMs           how long the question waited for the model (questions are answered one at a time)
 * @param fallbackPrefill    the context was prefilled by the QA service from the MemorySnapshot (the fallback
 *                           path), not taken from a context state of the memory service
 * @param contextReused      the fallback context of this memory version was already prefilled for an earlier
 *                           question and was resumed from its snapshot
 * @param sparsePrefillUsed  whether the sparse prefill ran (false until the sparse path is wired)
 * @param promptLayoutVersion version of the shared prompt layout
 * @param model              the language model's folder name
 * @param untrainedModel     the answer comes from the generated, untrained demo model
 */
public record AnswerReport(String questionId, String streamId, String answer, String finishReason,
                           long memoryVersion, long contextVersion, long newestFramePtsMicros,
                           long newestFrameWallClockMs, long stalenessMs, int memoryTokens, int promptTokens,
                           int generatedTokens, double timeToFirstTokenMs, double totalMs, double queuedMs,
                           boolean fallbackPrefill, boolean contextReused, boolean sparsePrefillUsed,
                           int promptLayoutVersion, String model, boolean untrainedModel) {
    public AnswerReport {
        Objects.requireNonNull(questionId, "questionId");
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(answer, "answer");
        if (!"stop".equals(finishReason) && !"length".equals(finishReason)) {
            throw new IllegalArgumentException("finishReason must be stop or length, got " + finishReason);
        }
        Objects.requireNonNull(model, "model");
    }
}
