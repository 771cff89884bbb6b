package dev.vstream.kernels.attention;

import java.util.List;

/**
 * The passes of one head, run in order; their contributions are merged per output row by
 * log-sum-exp, so a head's attention is the softmax over the union of its passes' keys. The
 * passes must not cover one (query, key) pair twice.
 *
 * @param passes at least one
 * @param label  what built it, e.g. {@code grid(stride=256, v=[3], slash=[0])}, for logs and benches
 */
public record HeadPlan(List<BlockPass> passes, String label) {

    public HeadPlan {
        passes = List.copyOf(passes);
        if (passes.isEmpty()) {
            throw new IllegalArgumentException("a head plan needs at least one pass");
        }
    }

    /** Key-block pairs computed, summed over passes. */
    public long computedBlockPairs() {
        return passes.stream().mapToLong(BlockPass::computedBlockPairs).sum();
    }

    /**
     * Fraction of dense causal work this plan computes: computed block pairs over the block
     * pairs a dense causal sweep of {@code seqLen} tokens computes.
     */
    public double blockDensity(int seqLen) {
        int blockSize = passes.getFirst().blockSize;
        long blocks = BlockPass.ceilDiv(seqLen, blockSize);
        return computedBlockPairs() / (blocks * (blocks + 1) / 2.0);
    }

    /** The (query, key) pairs this plan attends, in original positions. */
    public TokenMask mask(int seqLen) {
        int count = passes.size();
        int[][] querySlots = new int[count][];
        int[][] keySlots = new int[count][];
        for (int p = 0; p < count; p++) {
            BlockPass pass = passes.get(p);
            querySlots[p] = pass.slotsOf(pass.queryRows, seqLen);
            keySlots[p] = pass.slotsOf(pass.keyRows, seqLen);
        }
        return (query, key) -> {
            for (int p = 0; p < count; p++) {
                BlockPass pass = passes.get(p);
                int qs = querySlots[p][query];
                int ks = keySlots[p][key];
                if (qs < 0 || ks < 0 || !pass.rule.allows(query, key) || pass.covered(qs / pass.blockSize, key)) {
                    continue;
                }
                int qb = qs / pass.blockSize;
                int kb = ks / pass.blockSize;
                for (int r = pass.rangeOffsets[qb]; r < pass.rangeOffsets[qb + 1]; r++) {
                    if (kb >= pass.rangeStarts[r] && kb < pass.rangeEnds[r]) {
                        return true;
                    }
                }
            }
            return false;
        };
    }
}
