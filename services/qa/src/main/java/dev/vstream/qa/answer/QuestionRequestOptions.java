package dev.vstream.qa.answer;

import dev.vstream.api.question.QuestionRequest;
import java.util.List;

/** The options of a {@link QuestionRequest} with the service's default filled in. */
record QuestionRequestOptions(int maxTokens, double temperature, double topP, List<String> stop, long seed) {
    static QuestionRequestOptions of(QuestionRequest request, int defaultMaxTokens) {
        return new QuestionRequestOptions(request.maxTokens() == null ? defaultMaxTokens : request.maxTokens(),
                request.temperature(), request.topP(), request.stop(), request.seed());
    }
}
