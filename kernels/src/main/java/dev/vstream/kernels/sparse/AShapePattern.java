package dev.vstream.kernels.sparse;

import dev.vstream.kernels.attention.BlockPass;
import java.util.List;

/**
 * A-shape (StreamingLLM): the first {@code sink} tokens plus the last {@code window} tokens
 * of every query. Static: no estimate. MMInference's search space uses sink 128 and windows
 * 1024 / 2048 / 4096.
 */
public record AShapePattern(int sink, int window) implements HeadPattern {

    public AShapePattern {
        if (sink < 0 || window < 1) {
            throw new IllegalArgumentException("A-shape needs sink >= 0 and window >= 1: " + sink + ", " + window);
        }
    }

    @Override
    public String plan(PlanContext context, List<ModalitySpans.Span> querySpans, List<BlockPass> passes) {
        int[] slots = Passes.spanSlots(querySpans, context.blockSize());
        passes.add(Passes.window(slots, sink, window, context.seqLen(), context.blockSize()));
        return "a-shape(" + sink + "," + window + ")";
    }

    @Override
    public String type() {
        return "a-shape";
    }
}
