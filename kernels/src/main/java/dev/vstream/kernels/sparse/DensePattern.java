package dev.vstream.kernels.sparse;

import dev.vstream.kernels.attention.BlockPass;
import dev.vstream.kernels.attention.MaskRule;
import java.util.List;

/** Dense causal attention: the fallback where the search finds no pattern good enough. */
public record DensePattern() implements HeadPattern {

    @Override
    public String plan(PlanContext context, List<ModalitySpans.Span> querySpans, List<BlockPass> passes) {
        int[] slots = Passes.spanSlots(querySpans, context.blockSize());
        passes.add(Passes.allEarlier(slots, MaskRule.CAUSAL, context.seqLen(), context.blockSize()));
        return "dense";
    }

    @Override
    public String type() {
        return "dense";
    }
}
