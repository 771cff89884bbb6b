package dev.vstream.kernels.sparse;

import dev.vstream.kernels.attention.BlockPass;
import java.util.List;

/**
 * An intra-modality sparse attention pattern of one head (MMInference §3): which keys the
 * query tokens of some spans attend. Dynamic patterns estimate their index online from the
 * last queries of those spans; all append block passes that attend each of those queries
 * exactly once per key.
 */
public sealed interface HeadPattern permits DensePattern, AShapePattern, VerticalSlashPattern, GridPattern {

    /**
     * Appends the passes for the query tokens of {@code querySpans} (ascending) and returns a
     * short label of what was chosen, e.g. {@code grid(s=256 v=[3] d=[0])}.
     */
    String plan(PlanContext context, List<ModalitySpans.Span> querySpans, List<BlockPass> passes);

    /** The pattern's name in the JSON config. */
    String type();
}
