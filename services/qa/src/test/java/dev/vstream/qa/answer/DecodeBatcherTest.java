package dev.vstream.qa.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LanguageModel;
import dev.vstream.model.lm.Sampler;
import dev.vstream.model.lm.SamplingParams;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The batcher against a scripted model: answers joining while a step runs are decoded together in the next,
 * each continuing its own sequence; more than maxBatch take turns; a failing step fails only its answers.
 */
class DecodeBatcherTest {

    private static final int VOCAB = 10;
    private static final int EOS = 0;

    /**
     * Greedy on logits where the next token is (last token + 1), wrapping within 1 .. 9 (never EOS unless a context
     * is named "stop"); the first call blocks until released, so joins can pile up behind it.
     */
    static final class ScriptedModel implements LanguageModel {
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean failNext;

        @Override
        public int vocabSize() {
            return VOCAB;
        }

        @Override
        public ContextState newContext() {
            return new ContextState("scripted", List.of());
        }

        @Override
        public void prefill(ContextState state, int[] tokens, Logits which, float[] logitsOut) {
            throw new UnsupportedOperationException("the batcher only decodes");
        }

        @Override
        public void decodeStep(ContextState state, int token, float[] logitsOut) {
            throw new UnsupportedOperationException("the batcher decodes in batches");
        }

        @Override
        public void decodeBatch(List<ContextState> contexts, int[] tokens, float[] logitsOut) {
            LanguageModel.checkBatch(contexts, tokens, logitsOut, VOCAB);
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failNext) {
                failNext = false;
                throw new IllegalStateException("scripted failure");
            }
            batchSizes.add(contexts.size());
            Arrays.fill(logitsOut, 0, contexts.size() * VOCAB, 0f);
            for (int i = 0; i < contexts.size(); i++) {
                boolean stop = contexts.get(i).layout().equals("stop");
                int next = stop ? EOS : tokens[i] % 9 + 1;
                logitsOut[i * VOCAB + next] = 5f;
                contexts.get(i).advance(1);
            }
        }
    }

    private record Answer(DecodeBatcher.Generation generation, CompletableFuture<DecodeBatcher.Generation> done,
                          List<String> pieces) {
    }

    /** A generation whose first token (already accepted) is {@code first}. */
    private static Answer answer(String layout, int first, int maxTokens) {
        List<String> pieces = new CopyOnWriteArrayList<>();
        TextStream text = new TextStream(ids -> Arrays.stream(ids).mapToObj(Integer::toString)
                .collect(Collectors.joining()), List.of(), pieces::add);
        DecodeBatcher.Generation g = new DecodeBatcher.Generation(new ContextState(layout, List.of()),
                new Sampler(new SamplingParams(0, 1, maxTokens, Set.of(), 1)), text, Set.of(EOS), maxTokens);
        float[] logits = new float[VOCAB];
        logits[first] = 1;
        assertThat(g.accept(logits, VOCAB)).isTrue();
        return new Answer(g, new CompletableFuture<>(), pieces);
    }

    private static void join(DecodeBatcher batcher, Answer a) {
        batcher.join(a.generation(), a.done()::complete, a.done()::completeExceptionally);
    }

    @Test
    void answersJoiningDuringAStepAreDecodedTogetherEachInItsOwnSequence() throws Exception {
        ScriptedModel model = new ScriptedModel();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (DecodeBatcher batcher = new DecodeBatcher(model, 8, meters)) {
            Answer a = answer("a", 3, 5);
            join(batcher, a);
            assertThat(model.entered.await(10, TimeUnit.SECONDS)).isTrue();
            Answer b = answer("b", 7, 4);
            Answer c = answer("c", 1, 6);
            join(batcher, b);
            join(batcher, c);
            model.release.countDown();

            DecodeBatcher.Generation ga = a.done().get(10, TimeUnit.SECONDS);
            DecodeBatcher.Generation gb = b.done().get(10, TimeUnit.SECONDS);
            DecodeBatcher.Generation gc = c.done().get(10, TimeUnit.SECONDS);
            assertThat(ga.finishText()).isEqualTo("34567");
            assertThat(gb.finishText()).isEqualTo("7891");
            assertThat(gc.finishText()).isEqualTo("123456");
            assertThat(List.of(ga.generated(), gb.generated(), gc.generated())).containsExactly(5, 4, 6);
            assertThat(ga.finish()).isEqualTo("length");
            // Step 1: a alone (b and c joined while it ran); then all three until a and b stop, then c alone.
            assertThat(model.batchSizes).containsExactly(1, 3, 3, 3, 1, 1);
            assertThat(String.join("", a.pieces())).isEqualTo("34567");
            assertThat(meters.get("vstream.qa.decode.batch").summary().max()).isEqualTo(3);
        }
    }

    @Test
    void moreAnswersThanTheBatchTakeTurnsAndAnEndTokenStops() throws Exception {
        ScriptedModel model = new ScriptedModel();
        model.release.countDown();
        try (DecodeBatcher batcher = new DecodeBatcher(model, 2, new SimpleMeterRegistry())) {
            List<Answer> answers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                answers.add(answer(i == 4 ? "stop" : "s" + i, 1 + i, 4));
            }
            answers.forEach(a -> join(batcher, a));
            for (int i = 0; i < 5; i++) {
                DecodeBatcher.Generation g = answers.get(i).done().get(10, TimeUnit.SECONDS);
                if (i == 4) {
                    assertThat(g.finish()).isEqualTo("stop");
                    assertThat(g.generated()).isEqualTo(1);
                } else {
                    assertThat(g.finish()).isEqualTo("length");
                    assertThat(g.generated()).isEqualTo(4);
                }
            }
            assertThat(model.batchSizes).allSatisfy(n -> assertThat(n).isBetween(1, 2));
            assertThat(model.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(4 * 3 + 1);
        }
    }

    @Test
    void aFailedStepFailsItsAnswersAndTheBatcherGoesOn() throws Exception {
        ScriptedModel model = new ScriptedModel();
        model.failNext = true;
        try (DecodeBatcher batcher = new DecodeBatcher(model, 4, new SimpleMeterRegistry())) {
            Answer doomed = answer("x", 2, 3);
            join(batcher, doomed);
            model.release.countDown();
            assertThatThrownBy(() -> doomed.done().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("scripted failure");
            Answer next = answer("y", 2, 3);
            join(batcher, next);
            assertThat(next.done().get(10, TimeUnit.SECONDS).finishText()).isEqualTo("234");
        }
    }

    @Test
    void afterCloseAnswersFailWithAClearMessage() throws Exception {
        ScriptedModel model = new ScriptedModel();
        model.release.countDown();
        DecodeBatcher batcher = new DecodeBatcher(model, 4, new SimpleMeterRegistry());
        batcher.close();
        Answer late = answer("z", 2, 3);
        join(batcher, late);
        assertThatThrownBy(() -> late.done().get(10, TimeUnit.SECONDS)).hasMessageContaining("shutting down");
    }
}
