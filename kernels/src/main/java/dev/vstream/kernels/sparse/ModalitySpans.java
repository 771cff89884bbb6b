package dev.vstream.kernels.sparse;

import java.util.ArrayList;
import java.util.List;

/**
 * How one prefill sequence splits into modality spans, e.g. a text prompt, the frames of a
 * video (frame-major, then patch rows), subtitles between frames, the question at the end.
 * The spans cover {@code [0, seqLen)} in order, without gaps.
 *
 * @param spans in token order
 */
public record ModalitySpans(List<Span> spans) {

    /** Tokens {@code [start, end)} of one modality. */
    public record Span(int start, int end, Modality modality) {
        public Span {
            if (start < 0 || end <= start || modality == null) {
                throw new IllegalArgumentException("bad span [" + start + ", " + end + ") " + modality);
            }
        }

        public int length() {
            return end - start;
        }
    }

    public ModalitySpans {
        spans = List.copyOf(spans);
        if (spans.isEmpty() || spans.getFirst().start() != 0) {
            throw new IllegalArgumentException("spans must start at token 0");
        }
        for (int i = 1; i < spans.size(); i++) {
            if (spans.get(i).start() != spans.get(i - 1).end()) {
                throw new IllegalArgumentException("span " + i + " does not start where span " + (i - 1) + " ends");
            }
        }
    }

    /** One span of one modality over the whole sequence. */
    public static ModalitySpans single(int seqLen, Modality modality) {
        return new ModalitySpans(List.of(new Span(0, seqLen, modality)));
    }

    /** Text prefix, one video, text suffix (either text part may be empty). */
    public static ModalitySpans video(int prefix, int videoTokens, int suffix) {
        List<Span> spans = new ArrayList<>();
        if (prefix > 0) {
            spans.add(new Span(0, prefix, Modality.TEXT));
        }
        spans.add(new Span(prefix, prefix + videoTokens, Modality.VIDEO));
        if (suffix > 0) {
            spans.add(new Span(prefix + videoTokens, prefix + videoTokens + suffix, Modality.TEXT));
        }
        return new ModalitySpans(spans);
    }

    public int seqLen() {
        return spans.getLast().end();
    }

    /** The spans of one modality, in order. */
    public List<Span> of(Modality modality) {
        return spans.stream().filter(s -> s.modality() == modality).toList();
    }

    /** Whether both modalities are present. */
    public boolean mixed() {
        return spans.stream().map(Span::modality).distinct().count() > 1;
    }

    /** The tokens of {@code spans}, ascending. */
    static int[] tokens(List<Span> spans) {
        int count = spans.stream().mapToInt(Span::length).sum();
        int[] tokens = new int[count];
        int at = 0;
        for (Span span : spans) {
            for (int t = span.start(); t < span.end(); t++) {
                tokens[at++] = t;
            }
        }
        return tokens;
    }
}
