package dev.vstream.qa.answer;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.SlotKind;
import dev.vstream.api.question.AnswerReport;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.SamplingParams;
import dev.vstream.model.lm.Sampler;
import dev.vstream.model.prompt.PromptLayout;
import dev.vstream.model.prompt.PromptLayout.Segment;
import dev.vstream.qa.answer.QuestionRejectedException.Reason;
import dev.vstream.qa.memory.MemoryView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * Answers questions with the one loaded language model, one at a time on its own thread (the model and its
 * caches are not thread-safe; questions queue in arrival order, up to a limit).
 *
 * <p>Per question: the memory snapshot newest at the question's time is taken when the question arrives (later
 * updates never change it); the context is the {@link PromptLayout} memory prefix of that snapshot, its memory
 * tokens projected into the model's embedding space and prefilled here from the MemorySnapshot (the fallback
 * prefill: the memory service does not serve context states yet). The prefilled context of each stream's
 * newest version is kept as a frozen snapshot, so later questions on the same memory version resume it and pay
 * only for their own tokens. Then the question's tokens are prefilled and the answer decoded.
 */
public final class AnswerEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AnswerEngine.class);

    /** Limits on what a question may ask for. */
    public record Limits(int maxQuestionChars, int maxTokensLimit, int defaultMaxTokens, int maxQueued,
                         int contextCacheStreams) {
    }

    /**
     * A prefilled memory context. Versions restart at 1 when a stream's memory begins again (after expiry), so a
     * context is matched by version and newest-frame time together.
     */
    private record CachedContext(long version, long newestWallClockMs, ContextState.Snapshot state, int prefixTokens,
                                 int memoryTokens) {
        boolean isOf(MemorySnapshot snapshot) {
            return version == snapshot.version() && newestWallClockMs == snapshot.newestWallClockMs();
        }
    }

    private final LanguageModelHost host;
    private final MemoryView memory;
    private final Limits limits;
    private final ThreadPoolExecutor executor;
    private final Map<String, CachedContext> contexts;
    private final Counter fallbackPrefills;
    private final Counter reusedContexts;
    private final Timer timeToFirstToken;
    private final Timer answerTime;
    private final MeterRegistry meters;

    public AnswerEngine(LanguageModelHost host, MemoryView memory, Limits limits, MeterRegistry meters) {
        this.host = host;
        this.memory = memory;
        this.limits = limits;
        this.meters = meters;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(limits.maxQueued()), Thread.ofPlatform().name("qa-answer").factory());
        this.contexts = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CachedContext> eldest) {
                return size() > limits.contextCacheStreams();
            }
        };
        this.fallbackPrefills = Counter.builder("vstream.qa.fallback.prefills")
                .description("memory contexts prefilled by QA from a MemorySnapshot").register(meters);
        this.reusedContexts = Counter.builder("vstream.qa.context.reused")
                .description("questions that resumed an already prefilled memory context").register(meters);
        this.timeToFirstToken = Timer.builder("vstream.qa.time.to.first.token").register(meters);
        this.answerTime = Timer.builder("vstream.qa.answer.time").register(meters);
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
        checkUsable(loaded, snapshot, question.streamId());
        long queuedAt = System.nanoTime();
        CompletableFuture<AnswerReport> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(answer(loaded, question, snapshot, queuedAt, onText));
                    count("answered");
                } catch (RuntimeException e) {
                    count("failed");
                    log.error("Question {} on stream {} failed", question.id(), question.streamId(), e);
                    result.completeExceptionally(e);
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

    private void checkUsable(LanguageModelHost.Loaded loaded, MemorySnapshot snapshot, String streamId) {
        if (snapshot.tokens() == 0) {
            count("no-memory");
            throw new QuestionRejectedException(Reason.NO_MEMORY, streamId, "memory version " + snapshot.version()
                    + " of stream '" + streamId + "' holds no tokens");
        }
        int expected = snapshot.projected() ? loaded.model().embeddingSize() : loaded.projector().visionSize();
        if (snapshot.channels() != expected) {
            count("no-memory");
            throw new QuestionRejectedException(Reason.NO_MEMORY, streamId, "memory of stream '" + streamId
                    + "' has " + (snapshot.projected() ? "projected" : "vision") + " tokens of width "
                    + snapshot.channels() + " (encoder " + snapshot.encoderName() + "), this model takes " + expected);
        }
    }

    private void count(String outcome) {
        meters.counter("vstream.qa.questions", "outcome", outcome).increment();
    }

    private AnswerReport answer(LanguageModelHost.Loaded loaded, Question question, MemorySnapshot snapshot,
                                long queuedAt, Consumer<String> onText) {
        long start = System.nanoTime();
        var model = loaded.model();
        var tokenizer = loaded.tokenizer();
        CachedContext cached = contexts.get(question.streamId());
        boolean reused = cached != null && cached.isOf(snapshot);
        if (!reused) {
            cached = prefillMemory(loaded, snapshot);
            contexts.put(question.streamId(), cached);
            fallbackPrefills.increment();
        } else {
            reusedContexts.increment();
        }
        ContextState state = cached.state().resume();
        int[] questionTokens = PromptLayout.question(t -> tokenizer.encode(t, false), question.request().question());
        QuestionRequestOptions options = QuestionRequestOptions.of(question.request(), limits.defaultMaxTokens());
        Set<Integer> eos = new HashSet<>(tokenizer.specialTokens().eos());
        Sampler sampler = new Sampler(new SamplingParams(options.temperature(), options.topP(), options.maxTokens(),
                Set.of(), options.seed()));
        int vocab = model.vocabSize();
        float[] logits = new float[vocab];
        model.prefill(state, questionTokens, logits);
        // Special tokens (padding, an end-of-text the model was not stopped on) are not part of the text.
        TextStream text = new TextStream(ids -> tokenizer.decode(ids, true), options.stop(), onText);
        long firstToken = 0;
        String finish = "length";
        int generated = 0;
        while (generated < options.maxTokens()) {
            int token = sampler.sample(logits, vocab);
            if (generated == 0) {
                firstToken = System.nanoTime();
            }
            if (eos.contains(token)) {
                finish = "stop";
                break;
            }
            generated++;
            if (text.add(token)) {
                finish = "stop";
                break;
            }
            if (generated < options.maxTokens()) {
                model.decodeStep(state, token, logits);
            }
        }
        String answer = text.finish();
        long end = System.nanoTime();
        timeToFirstToken.record(firstToken - start, TimeUnit.NANOSECONDS);
        answerTime.record(end - start, TimeUnit.NANOSECONDS);
        long staleness = Math.max(0, question.askedAtMs() - snapshot.newestWallClockMs());
        return new AnswerReport(question.id(), question.streamId(), answer, finish, snapshot.version(),
                cached.version(), snapshot.newestPtsMicros(), snapshot.newestWallClockMs(), staleness,
                cached.memoryTokens(), cached.prefixTokens() + questionTokens.length, generated,
                millis(firstToken - start), millis(end - start), millis(start - queuedAt), true, reused, false,
                PromptLayout.VERSION, loaded.name(), loaded.untrained());
    }

    /** The fallback prefill: the memory prefix of {@link PromptLayout} from the snapshot, through the model. */
    private CachedContext prefillMemory(LanguageModelHost.Loaded loaded, MemorySnapshot snapshot) {
        var model = loaded.model();
        int d = model.embeddingSize();
        int tokens = snapshot.tokens();
        float[] memoryRows;
        if (snapshot.projected()) {
            memoryRows = snapshot.values();
        } else {
            memoryRows = new float[tokens * d];
            loaded.projector().forward(snapshot.values(), tokens, loaded.projector().newScratch(tokens), memoryRows);
        }
        SlotKind[] kinds = snapshot.kinds();
        String[] parts = new String[tokens];
        for (int t = 0; t < tokens; t++) {
            parts[t] = partName(kinds[t]);
        }
        List<Segment> prefix = PromptLayout.memoryPrefix(s -> loaded.tokenizer().encode(s, false),
                new PromptLayout.MemoryTokens(parts, snapshot.slots(), snapshot.timestampsMicros()));
        int rows = PromptLayout.length(prefix);
        float[] input = new float[Math.multiplyExact(rows, d)];
        int row = 0;
        for (Segment segment : prefix) {
            switch (segment) {
                case Segment.Text text -> {
                    for (int id : text.tokens()) {
                        model.embed(id, input, row++ * d);
                    }
                }
                case Segment.Memory run -> {
                    int n = run.to() - run.from();
                    System.arraycopy(memoryRows, run.from() * d, input, row * d, n * d);
                    row += n;
                }
            }
        }
        ContextState state = model.newContext();
        model.prefillEmbeddings(state, input, rows, null);
        return new CachedContext(snapshot.version(), snapshot.newestWallClockMs(), state.snapshot(), rows, tokens);
    }

    /** The part name the prompt shows: STAR_TEMPORAL is "temporal". */
    static String partName(SlotKind kind) {
        String name = kind.name();
        int underscore = name.indexOf('_');
        return (underscore < 0 ? name : name.substring(underscore + 1)).toLowerCase(Locale.ROOT);
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
        host.close();
    }
}
