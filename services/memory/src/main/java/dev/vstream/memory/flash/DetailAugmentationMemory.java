package dev.vstream.memory.flash;

import dev.vstream.memory.cluster.FrameRing;
import dev.vstream.memory.cluster.NearestFrames;
import dev.vstream.memory.cluster.StateInput;
import dev.vstream.memory.cluster.StateOutput;

/**
 * Detail augmentation memory (DAM, Flash-VStream 2025, {@code klarge_retrieve}): for each of the
 * {@code detailSlots} heaviest synopsis clusters, heaviest first, the banked input whose pooled copy is nearest
 * (Euclidean) to the centroid, returned at full resolution. Duplicates are kept, as in the original.
 */
final class DetailAugmentationMemory {

    private final FlashMemoryConfig config;
    private final FrameRing bank;      // keys (synopsisTokens, C) pooled, values (H*W, C) full resolution
    private final NearestFrames nearest;
    private final int[] heaviest;      // (detailSlots)

    DetailAugmentationMemory(FlashMemoryConfig config, ContextSynopsisMemory synopsis) {
        this.config = config;
        this.bank = new FrameRing(config.bankFrames(), config.synopsisTokens() * config.channels(),
                config.detailTokens() * config.channels());
        this.nearest = new NearestFrames(synopsis.clusters(), bank);
        this.heaviest = new int[Math.max(1, config.detailSlots())];
    }

    /** Keeps the retrieval's distances in step with the synopsis; call after every synopsis update. */
    void followSynopsis() {
        nearest.follow();
    }

    FrameRing bank() {
        return bank;
    }

    /**
     * Bank slots of the detail frames, heaviest cluster first, into {@code slotsOut}.
     *
     * @return how many: min(detailSlots, synopsis centroids) once anything is banked
     */
    int retrieve(ContextSynopsisMemory synopsis, int[] slotsOut) {
        if (config.detailSlots() == 0 || bank.size() == 0) {
            return 0;
        }
        int n = synopsis.clusters().heaviest(config.detailSlots(), heaviest);
        for (int r = 0; r < n; r++) {
            slotsOut[r] = nearest.nearest(heaviest[r]);
        }
        return n;
    }

    long stateBytes() {
        return bank.stateBytes();
    }

    void writeTo(StateOutput out) {
        bank.writeTo(out);
    }

    void readFrom(StateInput in) {
        bank.readFrom(in);
    }
}
