package dev.vstream.qa.web;

import dev.vstream.api.question.AnswerReport;
import dev.vstream.qa.QaProperties;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;

/** Questions asked with {@code ?async=true}: kept for polling until {@code async-retention} after they were asked. */
@Component
class AsyncQuestions {

    /** What {@code GET /v1/questions/{qid}} shows. */
    record Status(String questionId, String streamId, String status, AnswerReport answer, String error) {
    }

    private record Job(String streamId, long askedAtMs, CompletableFuture<AnswerReport> future) {
    }

    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final QaProperties properties;
    private final Clock clock;

    AsyncQuestions(QaProperties properties) {
        this.properties = properties;
        this.clock = Clock.systemUTC();
    }

    synchronized void add(String questionId, String streamId, CompletableFuture<AnswerReport> future) {
        evict();
        jobs.put(questionId, new Job(streamId, clock.millis(), future));
        while (jobs.size() > properties.asyncMaxKept()) {
            Iterator<String> oldest = jobs.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    synchronized Optional<Status> status(String questionId) {
        evict();
        Job job = jobs.get(questionId);
        if (job == null) {
            return Optional.empty();
        }
        CompletableFuture<AnswerReport> f = job.future();
        if (!f.isDone()) {
            return Optional.of(new Status(questionId, job.streamId(), "PENDING", null, null));
        }
        if (f.isCompletedExceptionally()) {
            Throwable cause = f.exceptionNow();
            return Optional.of(new Status(questionId, job.streamId(), "FAILED", null, cause.toString()));
        }
        return Optional.of(new Status(questionId, job.streamId(), "DONE", f.resultNow(), null));
    }

    private void evict() {
        long limit = clock.millis() - properties.asyncRetention().toMillis();
        jobs.values().removeIf(j -> j.askedAtMs() < limit && j.future().isDone());
    }
}
