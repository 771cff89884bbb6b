package dev.vstream.model.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * The one prompt layout of vstream (version {@value #VERSION}): how a stream's memory and a
 * question become the language model's input. The memory side (context prefill) and the QA
 * side (fallback prefill from a MemorySnapshot, then the question) both build it here, so a
 * context state prefilled by one is exactly the prefix the other expects.
 *
 * <p>Version 1, in order (text in quotes is tokenized without special tokens, {@code \n} a newline):
 * <ol>
 *   <li>{@code "Video memory:\n"}</li>
 *   <li>for each memory part (a run of tokens of one kind, in the snapshot's token order,
 *       e.g. STAR's abstract, temporal, retrieved, spatial; then, in the memory service's own
 *       contexts, {@code window}: the newest frames it keeps, one slot per frame): {@code "[<part>]\n"}, then for each
 *       slot of the part (a run of tokens with one slot number): the time marker
 *       {@code "<t=12.3s>"} (the mean presentation time of the slot's tokens, seconds with one
 *       decimal), then the slot's visual tokens as projected input embeddings, one per memory
 *       token; then {@code "\n"}</li>
 *   <li>the question: {@code "Question: <question>\nAnswer:"}</li>
 * </ol>
 * Items 1 and 2 are the memory prefix ({@link #memoryPrefix}), item 3 the question
 * ({@link #question}). Time markers are text tokens, not special embeddings, so any
 * tokenizer can write them. A change to any of this is a new version.
 */
public final class PromptLayout {

    /** Layout version; a context state prefilled under one version serves only questions of the same. */
    public static final int VERSION = 1;
    static final String HEADER = "Video memory:\n";

    private PromptLayout() {
    }

    /** A piece of the prompt: text tokens, or a run of memory tokens given as embeddings. */
    public sealed interface Segment {
        /** Token ids of text. */
        record Text(int[] tokens) implements Segment {
            public Text {
                tokens = tokens.clone();
            }

            @Override
            public int[] tokens() {
                return tokens.clone();
            }
        }

        /** Memory tokens {@code [from, to)} of the snapshot, in order, as projected embeddings. */
        record Memory(int from, int to) implements Segment {
            public Memory {
                if (from < 0 || to <= from) {
                    throw new IllegalArgumentException("memory run [" + from + ", " + to + ") is empty or negative");
                }
            }
        }
    }

    /**
     * What the layout needs to know of the memory tokens, one entry per token in the order the
     * memory gives them.
     *
     * @param parts            (tokens) the name of each token's memory part, e.g. {@code "temporal"}
     * @param slots            (tokens) the slot of each token within its part
     * @param timestampsMicros (tokens) presentation time each token stands for
     */
    public record MemoryTokens(String[] parts, int[] slots, long[] timestampsMicros) {
        public MemoryTokens {
            if (parts.length != slots.length || parts.length != timestampsMicros.length) {
                throw new IllegalArgumentException("parts, slots and timestamps must have one entry per token");
            }
            for (String part : parts) {
                Objects.requireNonNull(part, "part");
            }
            parts = parts.clone();
            slots = slots.clone();
            timestampsMicros = timestampsMicros.clone();
        }

        public int tokens() {
            return parts.length;
        }
    }

    /** The memory prefix (header, then each part with its slots' time markers and memory runs). */
    public static List<Segment> memoryPrefix(Function<String, int[]> encode, MemoryTokens memory) {
        Objects.requireNonNull(encode, "encode");
        List<Segment> segments = new ArrayList<>();
        segments.add(new Segment.Text(encode.apply(HEADER)));
        int n = memory.tokens();
        int t = 0;
        while (t < n) {
            String part = memory.parts[t];
            segments.add(new Segment.Text(encode.apply("[" + part + "]\n")));
            while (t < n && memory.parts[t].equals(part)) {
                int slot = memory.slots[t];
                int from = t;
                double sum = 0;
                while (t < n && memory.parts[t].equals(part) && memory.slots[t] == slot) {
                    sum += memory.timestampsMicros[t];
                    t++;
                }
                segments.add(new Segment.Text(encode.apply(timeMarker(sum / (t - from)))));
                segments.add(new Segment.Memory(from, t));
            }
            segments.add(new Segment.Text(encode.apply("\n")));
        }
        return List.copyOf(segments);
    }

    /** The question's tokens, to prefill after the memory prefix. */
    public static int[] question(Function<String, int[]> encode, String question) {
        Objects.requireNonNull(question, "question");
        return encode.apply("Question: " + question + "\nAnswer:");
    }

    /** {@code <t=12.3s>} for a time in microseconds. */
    static String timeMarker(double micros) {
        return String.format(Locale.ROOT, "<t=%.1fs>", micros / 1e6);
    }

    /** Input positions the prefix takes: text tokens plus memory tokens. */
    public static int length(List<Segment> segments) {
        int n = 0;
        for (Segment s : segments) {
            n += switch (s) {
                case Segment.Text text -> text.tokens.length;
                case Segment.Memory run -> run.to() - run.from();
            };
        }
        return n;
    }
}
