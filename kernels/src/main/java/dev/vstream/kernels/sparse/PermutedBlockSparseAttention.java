package dev.vstream.kernels.sparse;

import dev.vstream.kernels.attention.AttentionPlan;
import dev.vstream.kernels.attention.AttentionShape;
import dev.vstream.kernels.attention.BlockPass;
import dev.vstream.kernels.attention.HeadPlan;
import dev.vstream.kernels.attention.MaskRule;
import dev.vstream.kernels.attention.TiledAttention;
import dev.vstream.kernels.linalg.ComputePool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * MMInference's modality-aware permutation sparse prefill attention on the CPU: per head,
 * the offline-chosen {@link HeadConfig}, an online estimate of its sparse index from the last
 * queries, and one {@link TiledAttention} sweep over the resulting block plans.
 *
 * <pre>
 *   PermutedBlockSparseAttention attention = new PermutedBlockSparseAttention(kernel);
 *   // per layer, per prefill: q (heads, seq, d), k/v (kvHeads, seq, d) after RoPE
 *   attention.prefill(q, k, v, shape, spans, config.layer(layerIndex), out);
 * </pre>
 *
 * Plans are built in parallel over heads on the kernel's pool (the estimate costs about
 * {@code 64 N d} per head); they are allocated per call, the attention sweep is not.
 */
public final class PermutedBlockSparseAttention {

    private final TiledAttention kernel;
    private final LastQueryEstimate[] estimates;
    private final ComputePool.Task planTask = this::planPart;

    // The plan call in flight.
    private float[] q;
    private float[] k;
    private AttentionShape shape;
    private ModalitySpans spans;
    private List<HeadConfig> configs;
    private HeadPlan[] plans;

    public PermutedBlockSparseAttention(TiledAttention kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.estimates = new LastQueryEstimate[kernel.pool().threads()];
        for (int i = 0; i < estimates.length; i++) {
            estimates[i] = new LastQueryEstimate();
        }
    }

    /** Plans and runs one layer's prefill attention into {@code out} (layout of {@code q}). */
    public AttentionPlan prefill(float[] q, float[] k, float[] v, AttentionShape shape, ModalitySpans spans,
                                 List<HeadConfig> heads, float[] out) {
        AttentionPlan plan = plan(q, k, shape, spans, heads);
        kernel.forward(q, k, v, shape, plan, out);
        return plan;
    }

    /** The per-head block plans for this input (estimates included), without running them. */
    public AttentionPlan plan(float[] q, float[] k, AttentionShape shape, ModalitySpans spans, List<HeadConfig> heads) {
        if (heads.size() != shape.heads()) {
            throw new IllegalArgumentException(heads.size() + " head configs for " + shape.heads() + " heads");
        }
        if (spans.seqLen() != shape.seqLen()) {
            throw new IllegalArgumentException("spans cover " + spans.seqLen() + " tokens, shape has " + shape.seqLen());
        }
        this.q = q;
        this.k = k;
        this.shape = shape;
        this.spans = spans;
        this.configs = heads;
        this.plans = new HeadPlan[shape.heads()];
        try {
            kernel.pool().run(planTask);
            return new AttentionPlan(Arrays.asList(plans));
        } finally {
            this.q = null;
            this.k = null;
            this.plans = null;
        }
    }

    private void planPart(int member, int members) {
        for (int head = member; head < shape.heads(); head += members) {
            plans[head] = planHead(new PlanContext(q, k, shape, head, kernel.blockSize(), estimates[member]),
                    spans, configs.get(head));
        }
    }

    /** One head's plan: the passes of each modality's pattern over that modality's queries. */
    static HeadPlan planHead(PlanContext context, ModalitySpans spans, HeadConfig config) {
        List<BlockPass> passes = new ArrayList<>();
        List<ModalitySpans.Span> video = spans.of(Modality.VIDEO);
        List<ModalitySpans.Span> text = spans.of(Modality.TEXT);
        if (config.boundary() == Boundary.NONE || !spans.mixed()) {
            HeadPattern pattern = video.isEmpty() ? config.text() : config.video();
            List<ModalitySpans.Span> all = List.of(new ModalitySpans.Span(0, spans.seqLen(),
                    video.isEmpty() ? Modality.TEXT : Modality.VIDEO));
            String label = pattern.plan(context, all, passes);
            return new HeadPlan(passes, label);
        }
        StringBuilder label = new StringBuilder();
        if (!text.isEmpty()) {
            label.append("T:").append(config.text().plan(context, text, passes));
        }
        if (!video.isEmpty()) {
            int first = passes.size();
            label.append(label.isEmpty() ? "" : " ").append("V:").append(config.video().plan(context, video, passes));
            // A video pattern that fell back to dense already holds every text key.
            boolean windowed = passes.get(first).rule().window() != Integer.MAX_VALUE;
            if (config.boundary() == Boundary.TWO_D && !text.isEmpty() && windowed) {
                BlockPass crossModal = videoToText(context, video, text, config.video());
                if (crossModal != null) {
                    passes.add(crossModal);
                    label.append(" V2T:dense");
                }
            }
        }
        return new HeadPlan(passes, label.toString());
    }

    /**
     * The V2T block of a 2D-Boundary head: video queries against every earlier text key,
     * gathered into dense key blocks; the keys the video pattern's sink and window already
     * hold are masked out. Video patterns other than grid and A-shape hold no window here, so
     * they keep their own keys and this pass is skipped for them.
     */
    private static BlockPass videoToText(PlanContext context, List<ModalitySpans.Span> video,
                                         List<ModalitySpans.Span> text, HeadPattern pattern) {
        int b = context.blockSize();
        int firstVideo = video.getFirst().start();
        MaskRule rule = switch (pattern) {
            case GridPattern grid -> new MaskRule(Math.max(grid.sink(), firstVideo), grid.window(), true);
            case AShapePattern aShape -> new MaskRule(aShape.sink(), aShape.window(), true);
            default -> null;
        };
        if (rule == null) {
            return null;
        }
        int[] textTokens = ModalitySpans.tokens(text);
        int[] keySlots = new int[BlockPass.ceilDiv(textTokens.length, b) * b];
        Arrays.fill(keySlots, -1);
        System.arraycopy(textTokens, 0, keySlots, 0, textTokens.length);
        int[] querySlots = Passes.spanSlots(video, b);
        int[] max = Passes.blockMax(querySlots, b);
        Passes.RangeList ranges = new Passes.RangeList(max.length);
        for (int qb = 0; qb < max.length; qb++) {
            if (max[qb] >= 0) {
                ranges.add(0, BlockPass.ceilDiv(VerticalSlashPattern.upperBound(textTokens, max[qb]), b));
            }
            ranges.endBlock();
        }
        return ranges.pass(b, querySlots, keySlots, rule, null);
    }

    @Override
    public String toString() {
        return "PermutedBlockSparseAttention[" + kernel + "]";
    }
}
