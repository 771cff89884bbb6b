package dev.vstream.kernels.sparse;

import dev.vstream.kernels.attention.AttentionPlan;
import dev.vstream.kernels.attention.AttentionShape;
import dev.vstream.kernels.attention.HeadPlan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The offline per-head pattern search (MMInference §3.3, App. C.5), on one calibration
 * sample per layer: every candidate {@link HeadConfig} is planned on the sample (its online
 * estimate included) and scored per head by attention recall (the share of dense attention
 * mass kept, over sampled query rows) and block density (work against dense causal). Among
 * the candidates within the density budget, a head takes the one with the best recall; a
 * later candidate must beat an earlier one by {@link #MINIMAL_DELTA} (list candidates
 * cheapest first). A head whose best recall stays under {@code minRecall} is dense.
 */
public final class PatternSearch {

    /** Recall margin a later candidate needs over an earlier one (the stored code's minimal_delta). */
    public static final double MINIMAL_DELTA = 0.01;

    /** One head's outcome. */
    public record Choice(HeadConfig config, String label, double recall, double density) {
    }

    private final PermutedBlockSparseAttention attention;
    private final List<HeadConfig> candidates;
    private final double densityBudget;
    private final double minRecall;
    private final int sampleRows;

    /**
     * @param densityBudget largest block density a candidate may have (e.g. 0.2)
     * @param minRecall     below this the head is dense (e.g. 0.95)
     * @param sampleRows    query rows the recall is averaged over
     */
    public PatternSearch(PermutedBlockSparseAttention attention, List<HeadConfig> candidates, double densityBudget,
                         double minRecall, int sampleRows) {
        this.attention = Objects.requireNonNull(attention, "attention");
        this.candidates = List.copyOf(candidates);
        if (candidates.isEmpty() || !(densityBudget > 0) || !(minRecall >= 0 && minRecall <= 1) || sampleRows < 1) {
            throw new IllegalArgumentException("need candidates, a positive density budget, minRecall in [0, 1] "
                    + "and sample rows");
        }
        this.densityBudget = densityBudget;
        this.minRecall = minRecall;
        this.sampleRows = sampleRows;
    }

    /** The choice for every head of one layer, from its calibration q and k. */
    public List<Choice> searchLayer(float[] q, float[] k, AttentionShape shape, ModalitySpans spans) {
        int heads = shape.heads();
        int n = shape.seqLen();
        int[] rows = AttentionRecall.sampleRows(0, n, sampleRows);
        Choice[] best = new Choice[heads];
        for (HeadConfig candidate : candidates) {
            AttentionPlan plan = attention.plan(q, k, shape, spans, Collections.nCopies(heads, candidate));
            for (int h = 0; h < heads; h++) {
                HeadPlan head = plan.heads().get(h);
                double density = head.blockDensity(n);
                if (density > densityBudget) {
                    continue;
                }
                double recall = AttentionRecall.recall(q, k, shape, h, head.mask(n), rows);
                if (best[h] == null || recall > best[h].recall() + MINIMAL_DELTA) {
                    best[h] = new Choice(candidate, head.label(), recall, density);
                }
            }
        }
        List<Choice> choices = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            if (best[h] == null || best[h].recall() < minRecall) {
                choices.add(new Choice(HeadConfig.dense(), "dense", 1.0, 1.0));
            } else {
                choices.add(best[h]);
            }
        }
        return choices;
    }

    /** The configs of a searched layer, for {@link PatternConfig}. */
    public static List<HeadConfig> configs(List<Choice> choices) {
        return choices.stream().map(Choice::config).toList();
    }
}
