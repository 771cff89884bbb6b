package dev.vstream.context.prefill;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.SlotKind;
import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.kernels.sparse.ModalitySpans;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.KvPrecision;
import dev.vstream.model.lm.MultimodalPrefill;
import dev.vstream.model.lm.PrefillOptions;
import dev.vstream.model.prompt.PromptLayout;
import dev.vstream.model.prompt.PromptLayout.Segment;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The one context prefill: a MemorySnapshot's {@link PromptLayout} memory prefix through the language model. The
 * memory service runs it after each memory update; the QA service runs the same code when no prefilled context can
 * be had (its fallback), so both produce the same state for the same memory.
 *
 * <p>Text of the layout enters as token embeddings, memory tokens as projected visual embeddings (through the
 * model's projector unless the snapshot already holds projected tokens). The whole memory region, time markers
 * included, is one video span for the sparse patterns, the header before it and the closing newline text.
 */
public final class ContextPrefill {
    private final LanguageModelHost.Loaded host;
    private final MultimodalPrefill model;
    private final KvPrecision precision;

    /**
     * @param model     an instance of {@code host}'s model owned by the caller's thread
     * @param precision how the prefilled context keeps its attention keys and values ({@link KvPrecision#BF16}
     *                  halves a long context's bytes and the memory traffic of every question that reads it)
     */
    public ContextPrefill(LanguageModelHost.Loaded host, MultimodalPrefill model, KvPrecision precision) {
        this.host = Objects.requireNonNull(host, "host");
        this.model = Objects.requireNonNull(model, "model");
        this.precision = Objects.requireNonNull(precision, "precision");
    }

    /** The prompt, ready to run: embeddings and the modality spans of its rows. */
    record Prompt(float[] embeddings, int rows, ModalitySpans spans) {
    }

    /**
     * Prefills the memory prefix of {@code snapshot} with the attention {@code options} ask for (their spans are
     * replaced by the prompt's own).
     *
     * @throws IllegalArgumentException when the snapshot has no tokens or tokens of another width than the
     *         projector (or, projected, the model) takes
     */
    public PrefilledContext prefill(MemorySnapshot snapshot, PrefillOptions options) {
        return prefill(snapshot, MemoryWindow.NONE, options);
    }

    /**
     * As {@link #prefill(MemorySnapshot, PrefillOptions)}, the memory followed by the long {@code window} (the memory
     * service's own contexts; part {@value MemoryWindow#PART} of the layout).
     *
     * @throws IllegalArgumentException also when the window's tokens have another width than the projector takes
     */
    public PrefilledContext prefill(MemorySnapshot snapshot, MemoryWindow window, PrefillOptions options) {
        long start = System.nanoTime();
        Prompt prompt = prompt(snapshot, window);
        ContextState state = model.newContext();
        model.prefillEmbeddings(state, prompt.embeddings(), prompt.rows(), options.withSpans(prompt.spans()), null);
        boolean sparse = model.lastSparseLayers() > 0;
        double millis = (System.nanoTime() - start) / 1e6;
        return new PrefilledContext(snapshot.streamId(), snapshot.version(), snapshot.newestPtsMicros(),
                snapshot.newestWallClockMs(), PromptLayout.VERSION, host.modelId(), state.position(),
                snapshot.tokens() + window.tokens(),
                sparse, sparse ? model.lastSparseDensity() : 1, Math.round(millis * 1e3) / 1e3, state.snapshot(precision));
    }

    /** Why this snapshot cannot be prefilled with this model, or null when it can. */
    public static String unusable(LanguageModelHost.Loaded host, MemorySnapshot snapshot) {
        if (snapshot.tokens() == 0) {
            return "memory version " + snapshot.version() + " holds no tokens";
        }
        int expected = snapshot.projected() ? host.embeddingSize() : host.projector().visionSize();
        if (snapshot.channels() != expected) {
            return "memory has " + (snapshot.projected() ? "projected" : "vision") + " tokens of width "
                    + snapshot.channels() + " (encoder " + snapshot.encoderName() + "), this model takes " + expected;
        }
        return null;
    }

    Prompt prompt(MemorySnapshot snapshot, MemoryWindow window) {
        String why = unusable(host, snapshot);
        if (why != null) {
            throw new IllegalArgumentException("stream '" + snapshot.streamId() + "': " + why);
        }
        if (window.tokens() > 0 && window.channels() != host.projector().visionSize()) {
            throw new IllegalArgumentException("stream '" + snapshot.streamId() + "': window tokens of width "
                    + window.channels() + ", the projector takes " + host.projector().visionSize());
        }
        int d = host.embeddingSize();
        int tokens = snapshot.tokens();
        int all = Math.addExact(tokens, window.tokens());
        float[] memoryRows = new float[Math.multiplyExact(all, d)];
        if (snapshot.projected()) {
            System.arraycopy(snapshot.values(), 0, memoryRows, 0, tokens * d);
        } else {
            host.projector().forward(snapshot.values(), tokens, host.projector().newScratch(tokens), memoryRows);
        }
        // The window a frame at a time: its projector scratch stays one frame's.
        long[] frameTimes = window.timestampsMicros();
        float[] scratch = window.tokens() == 0 ? null : host.projector().newScratch(window.tokensPerFrame());
        for (int f = 0; f < frameTimes.length; f++) {
            host.projector().forward(window.frame(f), 0, window.tokensPerFrame(), scratch, memoryRows,
                    (tokens + f * window.tokensPerFrame()) * d);
        }
        SlotKind[] kinds = snapshot.kinds();
        String[] parts = new String[all];
        int[] slots = Arrays.copyOf(snapshot.slots(), all);
        long[] times = Arrays.copyOf(snapshot.timestampsMicros(), all);
        for (int t = 0; t < tokens; t++) {
            parts[t] = partName(kinds[t]);
        }
        for (int t = tokens; t < all; t++) {
            int frame = (t - tokens) / window.tokensPerFrame();
            parts[t] = MemoryWindow.PART;
            slots[t] = frame;
            times[t] = frameTimes[frame];
        }
        List<Segment> prefix = PromptLayout.memoryPrefix(host::encode, new PromptLayout.MemoryTokens(parts, slots, times));
        int rows = PromptLayout.length(prefix);
        float[] input = new float[Math.multiplyExact(rows, d)];
        int row = 0;
        int firstMemory = -1;
        int memoryEnd = -1;
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
                    firstMemory = firstMemory < 0 ? row : firstMemory;
                    row += n;
                    memoryEnd = row;
                }
            }
        }
        return new Prompt(input, rows, ModalitySpans.video(firstMemory, memoryEnd - firstMemory, rows - memoryEnd));
    }

    /** The part name the prompt shows: STAR_TEMPORAL is "temporal". */
    static String partName(SlotKind kind) {
        String name = kind.name();
        int underscore = name.indexOf('_');
        return (underscore < 0 ? name : name.substring(underscore + 1)).toLowerCase(Locale.ROOT);
    }
}
