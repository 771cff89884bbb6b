package dev.vstream.qa.answer;

import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LanguageModel;
import dev.vstream.model.lm.Sampler;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers being decoded, stepped together: one thread with its own model instance runs one
 * {@link LanguageModel#decodeBatch} over every answer in progress (at most {@code maxBatch} rows a step; more take
 * turns), so concurrent questions, on one stream or many, share each step's weight reads instead of queuing for
 * them. An answer joins after its question's prefill and first token, which run on the answer threads, and leaves
 * the step it stops; nobody waits for another answer to finish.
 */
final class DecodeBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DecodeBatcher.class);

    /**
     * One answer being generated: its context, sampler and text. Confined to one thread at a time: the answer thread
     * until it {@link #join}s, then the batcher's.
     */
    static final class Generation {
        private final ContextState state;
        private final Sampler sampler;
        private final TextStream text;
        private final Set<Integer> eos;
        private final int maxTokens;
        private Consumer<Generation> onDone;
        private Consumer<RuntimeException> onFailure;
        private int next;
        private int generated;
        private String finish = "length";

        Generation(ContextState state, Sampler sampler, TextStream text, Set<Integer> eos, int maxTokens) {
            this.state = state;
            this.sampler = sampler;
            this.text = text;
            this.eos = eos;
            this.maxTokens = maxTokens;
        }

        /** Samples a token from the logits {@code (vocab)} and takes it: false when the answer is complete. */
        boolean accept(float[] logits, int vocab) {
            int token = sampler.sample(logits, vocab);
            if (eos.contains(token)) {
                finish = "stop";
                return false;
            }
            generated++;
            if (text.add(token)) {
                finish = "stop";
                return false;
            }
            next = token;
            return generated < maxTokens;
        }

        int generated() {
            return generated;
        }

        /** "stop" (an end token or a stop string) or "length" (maxTokens). */
        String finish() {
            return finish;
        }

        /** The answer's text, the stop string cut off. */
        String finishText() {
            return text.finish();
        }
    }

    private final LanguageModel model;
    private final int maxBatch;
    private final LinkedBlockingQueue<Generation> joining = new LinkedBlockingQueue<>();
    private final List<Generation> active = new ArrayList<>(); // the batcher thread's
    private final DistributionSummary batchSize;
    private final Thread thread;
    private volatile boolean closed;
    private volatile int inProgress;

    /** @param model a model instance for this batcher alone */
    DecodeBatcher(LanguageModel model, int maxBatch, MeterRegistry meters) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        this.model = model;
        this.maxBatch = maxBatch;
        this.batchSize = DistributionSummary.builder("vstream.qa.decode.batch")
                .description("answers advanced by one batched decode step").register(meters);
        Gauge.builder("vstream.qa.decode.active", this, b -> b.inProgress)
                .description("answers being decoded").register(meters);
        this.thread = Thread.ofPlatform().name("qa-decode").daemon().unstarted(this::run);
        thread.start();
    }

    /**
     * Hands over {@code generation}, whose next token is sampled and accepted: from now on the batcher decodes it
     * and calls {@code onDone} (or {@code onFailure}) on its thread.
     */
    void join(Generation generation, Consumer<Generation> onDone, Consumer<RuntimeException> onFailure) {
        generation.onDone = onDone;
        generation.onFailure = onFailure;
        if (closed) {
            onFailure.accept(new IllegalStateException("the QA service is shutting down"));
            return;
        }
        joining.add(generation);
    }

    private void run() {
        int vocab = model.vocabSize();
        float[] logits = new float[Math.multiplyExact(maxBatch, vocab)];
        float[] row = new float[vocab];
        List<Generation> step = new ArrayList<>(maxBatch);
        while (!closed) {
            try {
                if (active.isEmpty()) {
                    Generation first = joining.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    active.add(first);
                }
                joining.drainTo(active);
            } catch (InterruptedException e) {
                break;
            }
            inProgress = active.size();
            step.clear();
            step.addAll(active.subList(0, Math.min(maxBatch, active.size())));
            List<ContextState> states = new ArrayList<>(step.size());
            int[] tokens = new int[step.size()];
            for (int i = 0; i < step.size(); i++) {
                states.add(step.get(i).state);
                tokens[i] = step.get(i).next;
            }
            // The stepped ones go to the back: beyond maxBatch, answers take turns.
            active.subList(0, step.size()).clear();
            try {
                model.decodeBatch(states, tokens, logits);
            } catch (RuntimeException e) {
                log.error("Decode step of {} answers failed", step.size(), e);
                step.forEach(g -> fail(g, e));
                continue;
            }
            batchSize.record(step.size());
            for (int i = 0; i < step.size(); i++) {
                Generation g = step.get(i);
                System.arraycopy(logits, i * vocab, row, 0, vocab);
                boolean more;
                try {
                    more = g.accept(row, vocab);
                } catch (RuntimeException e) { // the text's consumer failed (a client gone)
                    fail(g, e);
                    continue;
                }
                if (more) {
                    active.add(g);
                } else {
                    done(g);
                }
            }
        }
        List<Generation> left = new ArrayList<>(active);
        joining.drainTo(left);
        left.forEach(g -> fail(g, new IllegalStateException("the QA service is shutting down")));
        inProgress = 0;
    }

    private static void done(Generation g) {
        try {
            g.onDone.accept(g);
        } catch (RuntimeException e) {
            fail(g, e);
        }
    }

    private static void fail(Generation g, RuntimeException e) {
        try {
            g.onFailure.accept(e);
        } catch (RuntimeException nested) {
            log.warn("Failing an answer failed too", nested);
        }
    }

    /** Stops stepping; answers still in progress fail with a shutdown message. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }
}
