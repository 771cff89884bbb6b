package dev.vstream.qa.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.MemorySnapshotCodec;
import dev.vstream.api.memory.SlotKind;
import dev.vstream.api.memory.TokenType;
import dev.vstream.api.question.AnswerReport;
import dev.vstream.api.question.QuestionRequest;
import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.context.prefill.ContextPrefill;
import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.context.source.ContextSource;
import dev.vstream.model.lm.KvPrecision;
import dev.vstream.model.lm.PrefillOptions;
import dev.vstream.qa.memory.MemoryView;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine on the generated demo checkpoint with a memory view fed directly (no broker). */
class AnswerEngineTest {
    static final int VISION = 32;

    @TempDir
    static Path temp;
    static SimpleMeterRegistry meters;
    static MemoryView view;
    static AnswerEngine engine;
    static LanguageModelHost.Loaded host;
    /** What the memory service serves, per test: by default nothing (every context is a fallback). */
    static volatile ContextSource served;

    @BeforeAll
    static void load() {
        meters = new SimpleMeterRegistry();
        view = new MemoryView(Map.of("bootstrap.servers", "localhost:1"), 4);
        host = (LanguageModelHost.Loaded) LanguageModelHost.load(null, temp.resolve("demo"), VISION, 1);
        served = NOTHING;
        engine = new AnswerEngine(host, true, view, new AnswerEngine.Limits(200, 32, 8, 4, 1, 16),
                new AnswerEngine.Contexts((id, v, held) -> served.newest(id, v, held), 64 << 20, 0,
                        Duration.ofMillis(300), KvPrecision.F32), meters);
    }

    static final ContextSource NOTHING = (id, v, held) -> new ContextSource.Fetch.NotPrefilled("nothing served");

    @AfterEach
    void serveNothing() {
        served = NOTHING;
    }

    /** The memory service's prefill of these snapshots, on its own model instance. */
    static Map<Long, PrefilledContext> prefilled(MemorySnapshot... snapshots) {
        ContextPrefill prefill = new ContextPrefill(host, host.newModel(), KvPrecision.F32);
        Map<Long, PrefilledContext> byVersion = new java.util.TreeMap<>();
        for (MemorySnapshot s : snapshots) {
            byVersion.put(s.version(), prefill.prefill(s, PrefillOptions.DENSE));
        }
        return byVersion;
    }

    /** Serves the newest of {@code contexts} at or below the version asked for. */
    static ContextSource serving(Map<Long, PrefilledContext> contexts) {
        return (id, v, held) -> contexts.values().stream().filter(c -> c.memoryVersion() <= v)
                .reduce((a, b) -> b).<ContextSource.Fetch>map(ContextSource.Fetch.Found::new)
                .orElse(new ContextSource.Fetch.NotPrefilled("none at or below " + v));
    }

    @AfterAll
    static void close() throws Exception {
        engine.close();
    }

    static MemorySnapshot snapshot(String stream, long version, int channels) {
        int tokens = 6;
        SplittableRandom random = new SplittableRandom(version);
        float[] values = new float[tokens * channels];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return new MemorySnapshot(stream, version, version * 500_000, 1_000 + version, "clip-test", "0".repeat(64),
                false, TokenType.F16, channels,
                new SlotKind[] {SlotKind.STAR_ABSTRACT, SlotKind.STAR_TEMPORAL, SlotKind.STAR_TEMPORAL,
                        SlotKind.STAR_SPATIAL, SlotKind.STAR_SPATIAL, SlotKind.STAR_SPATIAL},
                new int[] {0, 0, 1, 0, 0, 0}, new long[] {0, 100_000, 200_000, 300_000, 300_000, 300_000}, values);
    }

    static void publish(MemorySnapshot s, long atMs) {
        view.accept(s.streamId(), MemorySnapshotCodec.encode(s), atMs);
    }

    static Question ask(String stream, String text, long atMs) {
        return new Question("q-" + atMs, stream, new QuestionRequest(text, 6, null, null, null, null, null), atMs);
    }

    @Test
    void answersFromTheSnapshotNewestAtTheQuestionsTimeAndReusesItsContext() throws Exception {
        publish(snapshot("cam-a", 1, VISION), 10_000);
        publish(snapshot("cam-a", 2, VISION), 20_000);
        List<String> pieces = new CopyOnWriteArrayList<>();
        AnswerReport early = engine.submit(ask("cam-a", "what moved?", 15_000), pieces::add).get();
        assertThat(early.memoryVersion()).isEqualTo(1);
        assertThat(early.contextVersion()).isEqualTo(1);
        assertThat(early.fallbackPrefill()).isTrue();
        assertThat(early.contextReused()).isFalse();
        assertThat(early.memoryTokens()).isEqualTo(6);
        assertThat(early.generatedTokens()).isBetween(0, 6);
        assertThat(early.promptTokens()).isGreaterThan(6 + "Question: what moved?\nAnswer:".length());
        assertThat(early.untrainedModel()).isTrue();
        assertThat(String.join("", pieces)).isEqualTo(early.answer());
        assertThat(early.stalenessMs()).isEqualTo(15_000 - 1_001);

        AnswerReport late = engine.submit(ask("cam-a", "and now?", 25_000), t -> { }).get();
        assertThat(late.memoryVersion()).isEqualTo(2);
        assertThat(late.contextReused()).isFalse();
        AnswerReport again = engine.submit(ask("cam-a", "and now?", 26_000), t -> { }).get();
        assertThat(again.memoryVersion()).isEqualTo(2);
        assertThat(again.contextReused()).isTrue();
        // Greedy and the same context: a resumed context answers exactly like a fresh prefill.
        assertThat(again.answer()).isEqualTo(late.answer());
        assertThat(meters.counter("vstream.qa.fallback.prefills").count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void takesTheServedContextAndAnswersAsFromItsOwnPrefill() throws Exception {
        MemorySnapshot v1 = snapshot("cam-s", 1, VISION);
        MemorySnapshot v2 = snapshot("cam-s", 2, VISION);
        publish(v1, 10_000);
        AnswerReport fallback = engine.submit(ask("cam-s", "what is there?", 11_000), t -> { }).get();
        assertThat(fallback.fallbackPrefill()).isTrue();

        // The memory service has prefilled version 1 only, version 2 is the newest memory: the question takes the
        // newest context at its time (version 1) without waiting, and says which versions it used.
        publish(v2, 20_000);
        Map<Long, PrefilledContext> contexts = prefilled(v1);
        served = serving(contexts);
        AnswerReport lagging = engine.submit(ask("cam-s", "what is there?", 21_000), t -> { }).get();
        assertThat(lagging.memoryVersion()).isEqualTo(2);
        assertThat(lagging.contextVersion()).isEqualTo(1);
        assertThat(lagging.fallbackPrefill()).isFalse();
        assertThat(lagging.newestFrameWallClockMs()).isEqualTo(v1.newestWallClockMs());

        contexts.putAll(prefilled(v2));
        AnswerReport current = engine.submit(ask("cam-s", "what is there?", 22_000), t -> { }).get();
        assertThat(current.contextVersion()).isEqualTo(2);
        assertThat(current.fallbackPrefill()).isFalse();
        assertThat(current.contextReused()).isFalse();
        assertThat(current.promptTokens()).isEqualTo(contexts.get(2L).prefixTokens()
                + host.encode("Question: what is there?\nAnswer:").length);
        AnswerReport cached = engine.submit(ask("cam-s", "what is there?", 23_000), t -> { }).get();
        assertThat(cached.contextReused()).isTrue();
        // The served context and this instance's own prefill of the same memory are the same state.
        served = NOTHING;
        publish(snapshot("cam-t", 2, VISION), 20_000);
        AnswerReport own = engine.submit(ask("cam-t", "what is there?", 22_000), t -> { }).get();
        assertThat(own.fallbackPrefill()).isTrue();
        assertThat(own.answer()).isEqualTo(current.answer());
    }

    @Test
    void fallsBackWhileTheMemoryServiceIsDownAndResumesWhenItIsBack() throws Exception {
        MemorySnapshot v1 = snapshot("cam-u", 1, VISION);
        publish(v1, 10_000);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        served = (id, v, held) -> {
            asked.incrementAndGet();
            return new ContextSource.Fetch.Unavailable("connection refused");
        };
        double before = meters.counter("vstream.qa.fallback.prefills").count();
        AnswerReport down = engine.submit(ask("cam-u", "x", 11_000), t -> { }).get();
        assertThat(down.fallbackPrefill()).isTrue();
        AnswerReport stillDown = engine.submit(ask("cam-u", "y", 11_500), t -> { }).get();
        assertThat(stillDown.fallbackPrefill()).isTrue();
        assertThat(asked).as("not asked again within retry-after").hasValue(1);
        assertThat(meters.counter("vstream.qa.fallback.prefills").count()).isEqualTo(before + 2);

        // Back, serving the very version QA prefilled itself: the served context replaces QA's own.
        served = serving(prefilled(v1));
        Thread.sleep(400);
        AnswerReport sameVersion = engine.submit(ask("cam-u", "w", 11_800), t -> { }).get();
        assertThat(sameVersion.fallbackPrefill()).isFalse();
        assertThat(sameVersion.contextVersion()).isEqualTo(1);
        assertThat(engine.submit(ask("cam-u", "v", 11_900), t -> { }).get().contextReused()).isTrue();

        MemorySnapshot v2 = snapshot("cam-u", 2, VISION);
        publish(v2, 20_000);
        served = serving(prefilled(v2));
        AnswerReport back = engine.submit(ask("cam-u", "z", 21_000), t -> { }).get();
        assertThat(back.fallbackPrefill()).isFalse();
        assertThat(back.contextVersion()).isEqualTo(2);
    }

    @Test
    void concurrentQuestionsAreDecodedTogetherAndAnswerAsOneAtATime() throws Exception {
        publish(snapshot("cam-x", 3, VISION), 10_000);
        publish(snapshot("cam-y", 5, VISION), 10_000);
        List<Question> questions = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            questions.add(ask(i % 2 == 0 ? "cam-x" : "cam-y", "what happened " + (i / 2) + "?", 11_000 + i));
        }
        List<String> sequential = new java.util.ArrayList<>();
        for (Question q : questions) {
            sequential.add(engine.submit(q, t -> { }).get().answer());
        }
        SimpleMeterRegistry parallelMeters = new SimpleMeterRegistry();
        try (AnswerEngine parallel = new AnswerEngine(host, false, view, new AnswerEngine.Limits(200, 32, 8, 16, 3, 4),
                new AnswerEngine.Contexts(NOTHING, 64 << 20, 0, Duration.ofMillis(300), KvPrecision.F32),
                parallelMeters)) {
            List<CompletableFuture<AnswerReport>> answers = new java.util.ArrayList<>();
            for (Question q : questions) {
                answers.add(parallel.submit(q, t -> { }));
            }
            for (int i = 0; i < questions.size(); i++) {
                AnswerReport report = answers.get(i).get();
                assertThat(report.questionId()).isEqualTo(questions.get(i).id());
                assertThat(report.memoryVersion()).isEqualTo(i % 2 == 0 ? 3 : 5);
                assertThat(report.answer()).as("question %d", i).isEqualTo(sequential.get(i));
            }
            // Their decode steps ran on the batcher (how many at once depends on timing: DecodeBatcherTest).
            var batches = parallelMeters.get("vstream.qa.decode.batch").summary();
            assertThat(batches.count()).isPositive();
            assertThat(batches.max()).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void aContextOfAnotherModelIsNotResumed() throws Exception {
        MemorySnapshot v1 = snapshot("cam-w", 1, VISION);
        publish(v1, 10_000);
        PrefilledContext ours = prefilled(v1).get(1L);
        PrefilledContext foreign = new PrefilledContext(ours.streamId(), 1, ours.newestPtsMicros(),
                ours.newestWallClockMs(), ours.promptLayoutVersion(), "other-model@0", ours.prefixTokens(),
                ours.memoryTokens(), false, 1, 1, ours.state());
        served = (id, v, held) -> new ContextSource.Fetch.Found(foreign);
        assertThat(engine.submit(ask("cam-w", "x", 11_000), t -> { }).get().fallbackPrefill()).isTrue();
    }

    @Test
    void aQuestionAskedNowTakesTheNewestSnapshotWhateverItsKafkaTime() throws Exception {
        // The memory host's clock runs ahead: its snapshot is stamped in this host's future.
        publish(snapshot("cam-f", 4, VISION), System.currentTimeMillis() + 60_000);
        AnswerReport now = engine.submit(Question.now("q-now", "cam-f", QuestionRequest.of("now?")), t -> { }).get();
        assertThat(now.memoryVersion()).isEqualTo(4);
        assertThatThrownBy(() -> engine.submit(ask("cam-f", "x", System.currentTimeMillis()), t -> { }))
                .isInstanceOfSatisfying(QuestionRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(QuestionRejectedException.Reason.NO_MEMORY));
    }

    @Test
    void aNewRunOfTheStreamIsPrefilledAgainThoughItsVersionRepeats() throws Exception {
        publish(snapshot("cam-e", 1, VISION), 1_000);
        AnswerReport first = engine.submit(ask("cam-e", "first", 2_000), t -> { }).get();
        view.accept("cam-e", null, 3_000);
        MemorySnapshot old = snapshot("cam-e", 1, VISION);
        MemorySnapshot restarted = new MemorySnapshot("cam-e", 1, old.newestPtsMicros(), old.newestWallClockMs() + 60_000,
                old.encoderName(), old.encoderConfigSha256(), false, TokenType.F16, VISION, old.kinds(), old.slots(),
                old.timestampsMicros(), old.values());
        publish(restarted, 4_000);
        AnswerReport second = engine.submit(ask("cam-e", "first", 5_000), t -> { }).get();
        assertThat(first.memoryVersion()).isEqualTo(second.memoryVersion()).isEqualTo(1);
        assertThat(second.contextReused()).isFalse();
    }

    @Test
    void aQuestionInProgressKeepsItsSnapshot() throws Exception {
        publish(snapshot("cam-b", 1, VISION), 1_000);
        CompletableFuture<AnswerReport> first = engine.submit(ask("cam-b", "first", 2_000), t -> { });
        publish(snapshot("cam-b", 2, VISION), 1_500);
        assertThat(first.get().memoryVersion()).isEqualTo(1);
    }

    @Test
    void rejectsWithTheReason() {
        assertThatThrownBy(() -> engine.submit(ask("nobody", "x", 1), t -> { }))
                .isInstanceOfSatisfying(QuestionRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(QuestionRejectedException.Reason.UNKNOWN_STREAM));
        publish(snapshot("cam-c", 1, VISION), 5_000);
        assertThatThrownBy(() -> engine.submit(ask("cam-c", "x", 4_000), t -> { }))
                .isInstanceOfSatisfying(QuestionRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(QuestionRejectedException.Reason.NO_MEMORY));
        publish(snapshot("cam-d", 1, VISION + 1), 5_000);
        assertThatThrownBy(() -> engine.submit(ask("cam-d", "x", 6_000), t -> { }))
                .hasMessageContaining("width 33");
        assertThatThrownBy(() -> engine.submit(ask("cam-c", "x".repeat(201), 6_000), t -> { }))
                .isInstanceOfSatisfying(QuestionRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(QuestionRejectedException.Reason.LIMIT));
        assertThatThrownBy(() -> engine.submit(new Question("q", "cam-c",
                new QuestionRequest("x", 33, null, null, null, null, null), 6_000), t -> { }))
                .hasMessageContaining("exceeds the limit 32");
        view.accept("cam-c", null, 7_000);
        assertThatThrownBy(() -> engine.submit(ask("cam-c", "x", 8_000), t -> { }))
                .isInstanceOfSatisfying(QuestionRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(QuestionRejectedException.Reason.UNKNOWN_STREAM));
    }

    @Test
    void aModelThatFailedToLoadRejectsEveryQuestion() {
        LanguageModelHost failed = LanguageModelHost.load(temp.resolve("missing"), temp.resolve("unused"), VISION, 1);
        assertThat(failed).isInstanceOf(LanguageModelHost.Failed.class);
        AnswerEngine broken = new AnswerEngine(failed, true, view, new AnswerEngine.Limits(200, 32, 8, 4, 1, 16),
                new AnswerEngine.Contexts(NOTHING, 1 << 20, 0, Duration.ofSeconds(1), KvPrecision.F32), meters);
        assertThatThrownBy(() -> broken.submit(ask("cam-a", "x", 30_000), t -> { }))
                .isInstanceOfSatisfying(QuestionRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(QuestionRejectedException.Reason.MODEL_UNAVAILABLE));
    }
}
