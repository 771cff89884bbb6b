package dev.vstream.qa.web;

import dev.vstream.api.question.AnswerReport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;

/** Waiting for an answer on a request thread (a virtual thread: the wait costs no platform thread). */
final class Answers {
    private Answers() {
    }

    static AnswerReport await(CompletableFuture<AnswerReport> answer, Duration timeout) {
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw Problems.exception(HttpStatus.GATEWAY_TIMEOUT, "answer-timeout", "Answer timed out",
                    "no answer within " + timeout + "; ask with ?async=true for long answers");
        } catch (ExecutionException e) {
            throw new IllegalStateException("answering failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the answer", e);
        }
    }
}
