package dev.vstream.api.question;

import java.util.List;

/**
 * Body of {@code POST /v1/streams/{id}/questions}; also the options carried by a {@link QuestionRecord}.
 * Null optional fields take the defaults below; the QA service applies its own, tighter limits on top
 * ({@code vstream.qa.max-question-chars}, {@code vstream.qa.max-tokens-limit}).
 *
 * @param question      the question, 1..{@value #MAX_QUESTION_CHARS} characters, not blank
 * @param maxTokens     the most tokens to generate (default: the service's {@code default-max-tokens}), at least 1
 * @param temperature   0 (default) for greedy decoding, else in (0, 2]
 * @param topP          nucleus sampling mass in (0, 1] (default 1)
 * @param stop          up to {@value #MAX_STOP} strings; the answer ends before the first one generated
 * @param seed          seed of the sampler (default 0), so a sampled answer can be reproduced
 * @param sparsePrefill ask for the MMInference sparse prefill of the memory context; takes effect once the
 *                      sparse path is wired into the language model, until then the dense prefill runs and the
 *                      answer says so ({@code sparsePrefillUsed = false})
 */
public record QuestionRequest(String question, Integer maxTokens, Double temperature, Double topP, List<String> stop,
                              Long seed, Boolean sparsePrefill) {
    /** Hard cap of the wire format; the service's configured limit is usually lower. */
    public static final int MAX_QUESTION_CHARS = 32_768;
    public static final int MAX_STOP = 4;
    public static final int MAX_STOP_CHARS = 64;

    public QuestionRequest {
        if (question == null || question.isBlank()) {
            throw new IllegalArgumentException("question is required and must not be blank");
        }
        if (question.length() > MAX_QUESTION_CHARS) {
            throw new IllegalArgumentException("question longer than " + MAX_QUESTION_CHARS + " characters");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        temperature = temperature == null ? 0.0 : temperature;
        if (!(temperature >= 0 && temperature <= 2)) {
            throw new IllegalArgumentException("temperature must be in [0, 2], got " + temperature);
        }
        topP = topP == null ? 1.0 : topP;
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (stop.size() > MAX_STOP) {
            throw new IllegalArgumentException("at most " + MAX_STOP + " stop strings, got " + stop.size());
        }
        for (String s : stop) {
            if (s.isEmpty() || s.length() > MAX_STOP_CHARS) {
                throw new IllegalArgumentException("stop strings must be 1.." + MAX_STOP_CHARS + " characters");
            }
        }
        seed = seed == null ? 0L : seed;
        sparsePrefill = sparsePrefill != null && sparsePrefill;
    }

    /** A question with every default. */
    public static QuestionRequest of(String question) {
        return new QuestionRequest(question, null, null, null, null, null, null);
    }
}
