package dev.vstream.kernels.attention;

import java.util.List;

/** One {@link HeadPlan} per query head of a layer's prefill. */
public record AttentionPlan(List<HeadPlan> heads) {

    public AttentionPlan {
        heads = List.copyOf(heads);
        if (heads.isEmpty()) {
            throw new IllegalArgumentException("an attention plan needs at least one head");
        }
        int blockSize = heads.getFirst().passes().getFirst().blockSize;
        for (HeadPlan head : heads) {
            for (BlockPass pass : head.passes()) {
                if (pass.blockSize != blockSize) {
                    throw new IllegalArgumentException("passes of one plan must share a block size: "
                            + blockSize + " vs " + pass.blockSize);
                }
            }
        }
    }

    /** The same plan for every head. */
    public static AttentionPlan uniform(HeadPlan plan, int heads) {
        return new AttentionPlan(java.util.Collections.nCopies(heads, plan));
    }

    public int blockSize() {
        return heads.getFirst().passes().getFirst().blockSize;
    }

    /** Mean over the heads of the fraction of causal block pairs computed at {@code seqLen} (1: dense). */
    public double blockDensity(int seqLen) {
        return heads.stream().mapToDouble(h -> h.blockDensity(seqLen)).average().orElse(1);
    }

    int maxPasses() {
        return heads.stream().mapToInt(h -> h.passes().size()).max().orElse(0);
    }
}
