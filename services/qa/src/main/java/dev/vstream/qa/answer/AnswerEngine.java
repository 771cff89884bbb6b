package dev.vstream.qa.answer;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.question.AnswerReport;
import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.context.prefill.ContextPrefill;
import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.context.source.ContextSource;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.KvPrecision;
import dev.vstream.model.lm.MultimodalPrefill;
import dev.vstream.model.lm.SamplingParams;
import dev.vstream.model.lm.Sampler;
import dev.vstream.model.prompt.PromptLayout;
import dev.vstream.qa.context.ContextProvider;
import dev.vstream.qa.answer.QuestionRejectedException.Reason;
import dev.vstream.qa.memory.MemoryView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers questions with the one loaded language model. A question's own work up to its first token (its context,
 * the prefill of its tokens) runs on one of {@code answerThreads} threads, each with its own model instance over the
 * shared weights (a model instance and its caches are not thread-safe); questions queue for them in arrival order,
 * up to a limit. Then its decoding joins the {@link DecodeBatcher}, which steps every answer in progress together
 * (one batched decode step over up to {@code decodeBatch} answers, the weights read once for all of them).
 *
 * <p>Per question: the memory snapshot newest at the question's time is taken when the question arrives (later
 * updates never change it). Its context, the {@link PromptLayout} memory prefix read by the model, comes from the
 * {@link ContextProvider}: the memory service's newest prefilled context at or below that version (cached here),
 * or, when none can be had, the same prefill run here from the snapshot (the answer says so). A question resumes
 * a private copy of that frozen context, prefills only its own tokens and decodes.
 */
public final class AnswerEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AnswerEngine.class);

    /**
     * Limits on what a question may ask for, and how many are answered at once.
     *
     * @param answerThreads questions prefilled at the same time (up to their first token), each thread with its own
     *                      model instance over the shared weights (their kernel jobs take turns on the compute pool)
     * @param decodeBatch   answers advanced together by one batched decode step at most
     */
    public record Limits(int maxQuestionChars, int maxTokensLimit, int defaultMaxTokens, int maxQueued,
                         int answerThreads, int decodeBatch) {
        public Limits {
            if (answerThreads < 1) {
                throw new IllegalArgumentException("answerThreads must be at least 1, got " + answerThreads);
            }
            if (decodeBatch < 1) {
                throw new IllegalArgumentException("decodeBatch must be at least 1, got " + decodeBatch);
            }
        }
    }

    /** What one answer thread owns: its model instance and the prefill that runs on it. */
    private record Worker(MultimodalPrefill model, ContextPrefill prefill) {
    }

    /**
     * Where contexts come from and how many are kept.
     *
     * @param source          the memory service's prefilled contexts
     * @param cacheBytes      context states kept here at most, in bytes
     * @param sparseMinTokens a fallback prefill asked to be sparse is so above this many positions
     * @param retryAfter      how long an unreachable source is left alone
     * @param kvPrecision     how a context prefilled here keeps its attention keys and values
     */
    public record Contexts(ContextSource source, long cacheBytes, int sparseMinTokens, Duration retryAfter,
                           KvPrecision kvPrecision) {
    }

    private final LanguageModelHost host;
    private final boolean ownsHost;
    private final MemoryView memory;
    private final Limits limits;
    private final ThreadPoolExecutor executor;
    private final ThreadLocal<Worker> worker;
    private final ContextProvider contexts;
    private final DecodeBatcher batcher;
    private final Counter fallbackPrefills;
    private final Timer timeToFirstToken;
    private final Timer answerTime;
    private final DistributionSummary decodeRate;
    private final MeterRegistry meters;

    /** @param ownsHost close the host with the engine (not so for one shared in the process) */
    public AnswerEngine(LanguageModelHost host, boolean ownsHost, MemoryView memory, Limits limits, Contexts contexts,
                        MeterRegistry meters) {
        this.host = host;
        this.ownsHost = ownsHost;
        this.memory = memory;
        this.limits = limits;
        this.meters = meters;
        this.executor = new ThreadPoolExecutor(limits.answerThreads(), limits.answerThreads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(limits.maxQueued()), Thread.ofPlatform().name("qa-answer").factory());
        if (host instanceof LanguageModelHost.Loaded loaded) {
            this.worker = ThreadLocal.withInitial(() -> {
                MultimodalPrefill model = loaded.newModel();
                return new Worker(model, new ContextPrefill(loaded, model, contexts.kvPrecision()));
            });
            this.contexts = new ContextProvider(loaded, contexts.source(), contexts.cacheBytes(),
                    contexts.sparseMinTokens(), contexts.retryAfter(), meters);
            this.batcher = new DecodeBatcher(loaded.newModel(), limits.decodeBatch(), meters);
        } else {
            this.worker = null;
            this.contexts = null;
            this.batcher = null;
        }
        this.fallbackPrefills = Counter.builder("vstream.qa.fallback.prefills")
                .description("questions answered from a context QA prefilled itself from a MemorySnapshot")
                .register(meters);
        this.timeToFirstToken = Timer.builder("vstream.qa.time.to.first.token").publishPercentiles(0.5, 0.95, 0.99)
                .register(meters);
        this.answerTime = Timer.builder("vstream.qa.answer.time").publishPercentiles(0.5, 0.95, 0.99).register(meters);
        this.decodeRate = DistributionSummary.builder("vstream.qa.decode.tokens.per.second")
                .description("generated tokens per second of decoding, per answer").register(meters);
        Gauge.builder("vstream.qa.queue.depth", executor, e -> e.getQueue().size())
                .description("questions waiting for an answer thread").register(meters);
    }

    public LanguageModelHost host() {
        return host;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Checks the question, takes the memory newest at its time and queues it.
     *
     * @param onText receives the answer's text as it is generated, in pieces (on the engine's thread)
     * @throws QuestionRejectedException when it cannot be answered (unknown stream, no memory, limits, no model,
     *         queue full)
     */
    public CompletableFuture<AnswerReport> submit(Question question, Consumer<String> onText) {
        if (!(host instanceof LanguageModelHost.Loaded loaded)) {
            count("unavailable");
            throw new QuestionRejectedException(Reason.MODEL_UNAVAILABLE, question.streamId(),
                    "the language model is not loaded: " + ((LanguageModelHost.Failed) host).reason());
        }
        checkLimits(question);
        MemoryView.Entry entry = switch (memory.lookup(question.streamId(),
                question.byTime() ? question.askedAtMs() : Long.MAX_VALUE)) {
            case MemoryView.Lookup.Found found -> found.entry();
            case MemoryView.Lookup.UnknownStream u -> {
                count("unknown-stream");
                throw new QuestionRejectedException(Reason.UNKNOWN_STREAM, question.streamId(),
                        "no memory of stream '" + question.streamId() + "' is known");
            }
            case MemoryView.Lookup.NoMemoryYet n -> {
                count("no-memory");
                throw new QuestionRejectedException(Reason.NO_MEMORY, question.streamId(), "stream '"
                        + question.streamId() + "' had no memory yet at the question's time " + question.askedAtMs());
            }
        };
        MemorySnapshot snapshot = entry.snapshot();
        String unusable = ContextPrefill.unusable(loaded, snapshot);
        if (unusable != null) {
            count("no-memory");
            throw new QuestionRejectedException(Reason.NO_MEMORY, question.streamId(), "stream '"
                    + question.streamId() + "': " + unusable);
        }
        long queuedAt = System.nanoTime();
        CompletableFuture<AnswerReport> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    answer(loaded, question, snapshot, queuedAt, onText, result);
                } catch (RuntimeException e) {
                    failed(question, result, e);
                }
            });
        } catch (RejectedExecutionException e) {
            count("busy");
            throw new QuestionRejectedException(Reason.BUSY, question.streamId(),
                    limits.maxQueued() + " questions are already waiting for the model");
        }
        return result;
    }

    private void checkLimits(Question question) {
        String text = question.request().question();
        if (text.length() > limits.maxQuestionChars()) {
            count("limit");
            throw new QuestionRejectedException(Reason.LIMIT, question.streamId(), "question of " + text.length()
                    + " characters, at most " + limits.maxQuestionChars());
        }
        Integer maxTokens = question.request().maxTokens();
        if (maxTokens != null && maxTokens > limits.maxTokensLimit()) {
            count("limit");
            throw new QuestionRejectedException(Reason.LIMIT, question.streamId(), "maxTokens " + maxTokens
                    + " exceeds the limit " + limits.maxTokensLimit());
        }
    }

    private void count(String outcome) {
        meters.counter("vstream.qa.questions", "outcome", outcome).increment();
    }

    private void failed(Question question, CompletableFuture<AnswerReport> result, RuntimeException e) {
        count("failed");
        log.error("Question {} on stream {} failed", question.id(), question.streamId(), e);
        result.completeExceptionally(e);
    }

    /**
     * The question's part on an answer thread: its context, the prefill of its tokens, the first token; then the
     * batcher decodes the rest and {@code result} completes on its thread (or here, when one token is the answer).
     */
    private void answer(LanguageModelHost.Loaded loaded, Question question, MemorySnapshot snapshot, long queuedAt,
                        Consumer<String> onText, CompletableFuture<AnswerReport> result) {
        long start = System.nanoTime();
        var tokenizer = loaded.tokenizer();
        Worker own = worker.get();
        MultimodalPrefill model = own.model();
        ContextProvider.Resolved resolved = contexts.resolve(snapshot, question.request().sparsePrefill(),
                own.prefill());
        PrefilledContext context = resolved.context();
        if (resolved.fallback()) {
            fallbackPrefills.increment();
        }
        ContextState state = context.state().resume();
        int[] questionTokens = PromptLayout.question(t -> tokenizer.encode(t, false), question.request().question());
        QuestionRequestOptions options = QuestionRequestOptions.of(question.request(), limits.defaultMaxTokens());
        Sampler sampler = new Sampler(new SamplingParams(options.temperature(), options.topP(), options.maxTokens(),
                Set.of(), options.seed()));
        int vocab = model.vocabSize();
        float[] logits = new float[vocab];
        model.prefill(state, questionTokens, logits);
        // Special tokens (padding, an end-of-text the model was not stopped on) are not part of the text.
        TextStream text = new TextStream(ids -> tokenizer.decode(ids, true), options.stop(), onText);
        DecodeBatcher.Generation generation = new DecodeBatcher.Generation(state, sampler, text,
                new HashSet<>(tokenizer.specialTokens().eos()), options.maxTokens());
        boolean more = generation.accept(logits, vocab);
        long firstToken = System.nanoTime();
        Consumer<DecodeBatcher.Generation> complete = g -> {
            result.complete(report(loaded, question, snapshot, context, resolved, questionTokens.length, g, queuedAt,
                    start, firstToken));
            count("answered");
        };
        if (more) {
            batcher.join(generation, complete, e -> failed(question, result, e));
        } else {
            complete.accept(generation);
        }
    }

    /** The answer of a finished generation, with its versions and timings; records the latency metrics. */
    private AnswerReport report(LanguageModelHost.Loaded loaded, Question question, MemorySnapshot snapshot,
                                PrefilledContext context, ContextProvider.Resolved resolved, int questionTokens,
                                DecodeBatcher.Generation generation, long queuedAt, long start, long firstToken) {
        String answer = generation.finishText();
        long end = System.nanoTime();
        int generated = generation.generated();
        timeToFirstToken.record(firstToken - start, TimeUnit.NANOSECONDS);
        answerTime.record(end - start, TimeUnit.NANOSECONDS);
        if (generated > 1) {
            decodeRate.record((generated - 1) / ((end - firstToken) / 1e9));
        }
        long staleness = Math.max(0, question.askedAtMs() - context.newestWallClockMs());
        return new AnswerReport(question.id(), question.streamId(), answer, generation.finish(), snapshot.version(),
                context.memoryVersion(), context.newestPtsMicros(), context.newestWallClockMs(), staleness,
                context.memoryTokens(), context.prefixTokens() + questionTokens, generated,
                millis(firstToken - start), millis(end - start), millis(start - queuedAt), resolved.fallback(),
                resolved.reused(), context.sparse(), context.promptLayoutVersion(), loaded.name(), loaded.untrained());
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
        if (batcher != null) {
            batcher.close();
        }
        if (ownsHost) {
            host.close();
        }
    }
}
