package dev.vstream.model.lm;

import dev.vstream.kernels.sparse.ModalitySpans;
import dev.vstream.kernels.sparse.PatternConfig;
import java.util.Objects;

/**
 * How a {@link SparsePrefill} model runs the attention of one prefill: dense, MMInference
 * sparse (per-head patterns, see {@code dev.vstream.kernels.sparse}), or sparse only for long
 * contexts.
 *
 * <pre>
 *   // video prompt: 12 text tokens, 4096 video tokens, a 20-token question
 *   PrefillOptions options = PrefillOptions.auto(8192).withSpans(ModalitySpans.video(12, 4096, 20));
 *   model.prefill(state, tokens, options, Logits.LAST_POSITION, logits);
 * </pre>
 *
 * @param mode             dense, sparse, or sparse above {@code minContextLength}
 * @param minContextLength for {@link Mode#AUTO}: sparse only when the context after the
 *                         prefill (cached positions, memory tokens and the new tokens) is longer
 * @param spans            the modality spans of the prefill's tokens, covering exactly
 *                         {@code [0, tokens.length)}; {@code null}: all text. A model that
 *                         prepends tokens of its own (memory tokens) adds a text span for them.
 * @param patterns         the per-layer, per-head patterns; {@code null}: the model's own (read
 *                         with its checkpoint), and dense when it has none
 */
public record PrefillOptions(Mode mode, int minContextLength, ModalitySpans spans, PatternConfig patterns) {

    /** When the sparse patterns apply. */
    public enum Mode {
        /** Dense attention, the plain {@code prefill}. */
        DENSE,
        /** The patterns whenever the model can apply them. */
        SPARSE,
        /** The patterns when the context after the prefill is longer than {@code minContextLength}. */
        AUTO
    }

    /** Dense attention: the same as the plain {@code prefill}. */
    public static final PrefillOptions DENSE = new PrefillOptions(Mode.DENSE, 0, null, null);

    public PrefillOptions {
        Objects.requireNonNull(mode, "mode");
        if (minContextLength < 0) {
            throw new IllegalArgumentException("minContextLength must not be negative: " + minContextLength);
        }
    }

    /** Sparse at any length, all text, the model's patterns. */
    public static PrefillOptions sparse() {
        return new PrefillOptions(Mode.SPARSE, 0, null, null);
    }

    /** Sparse when the context after the prefill is longer than {@code minContextLength}. */
    public static PrefillOptions auto(int minContextLength) {
        return new PrefillOptions(Mode.AUTO, minContextLength, null, null);
    }

    /** These options with the modality spans of the prefill's tokens. */
    public PrefillOptions withSpans(ModalitySpans spans) {
        return new PrefillOptions(mode, minContextLength, spans, patterns);
    }

    /** These options with patterns that replace the model's own. */
    public PrefillOptions withPatterns(PatternConfig patterns) {
        return new PrefillOptions(mode, minContextLength, spans, patterns);
    }

    /** Whether the mode asks for the patterns at a context of {@code contextLength} positions after the prefill. */
    public boolean wantsSparse(long contextLength) {
        return switch (mode) {
            case DENSE -> false;
            case SPARSE -> true;
            case AUTO -> contextLength > minContextLength;
        };
    }
}
