package dev.vstream.memory.flash;

/**
 * Sizes of Flash Memory (Flash-VStream 2025). One input is one encoder output: a temporal patch of two frames for
 * Qwen2-VL. {@link #paper(int, int, int)} gives the released defaults: 60 context synopsis slots (120 frames),
 * 30 detail augmentation slots (60 frames), pool size 2.
 *
 * @param inputHeight     patch rows of the full-resolution features
 * @param inputWidth      patch columns
 * @param channels        feature width C
 * @param poolSize        the context synopsis memory clusters features average-pooled by this factor per side
 *                        (the original pools pixels before the encoder; here the encoder output is pooled)
 * @param synopsisSlots   K of the context synopsis memory's weighted K-means
 * @param detailSlots     frames the detail augmentation memory returns at full resolution (at most synopsisSlots)
 * @param bankFrames      newest inputs kept at both resolutions for detail retrieval; the original searches every
 *                        input of the video, which no stream can hold, so the bank is bounded. Default 120, the
 *                        120 temporal patches of the released evaluation's 240-frame cap
 * @param kmeansIterations most K-means assignment passes (10 in the original)
 * @param seed            seed of the K-means initialisation
 */
public record FlashMemoryConfig(int inputHeight, int inputWidth, int channels, int poolSize, int synopsisSlots,
                                int detailSlots, int bankFrames, int kmeansIterations, long seed) {

    public FlashMemoryConfig {
        if (channels < 1 || synopsisSlots < 1 || kmeansIterations < 1) {
            throw new IllegalArgumentException("channels, synopsisSlots and kmeansIterations must be positive, got "
                    + channels + ", " + synopsisSlots + ", " + kmeansIterations);
        }
        if (detailSlots < 0 || detailSlots > synopsisSlots) {
            throw new IllegalArgumentException("detailSlots must be in [0, synopsisSlots=" + synopsisSlots + "], got "
                    + detailSlots);
        }
        if (bankFrames < 1) {
            throw new IllegalArgumentException("bankFrames must be positive, got " + bankFrames);
        }
        if (poolSize < 1 || inputHeight < 1 || inputWidth < 1) {
            throw new IllegalArgumentException("poolSize and input sizes must be positive, got poolSize=" + poolSize
                    + " input " + inputHeight + "x" + inputWidth);
        }
        if (inputHeight % poolSize != 0 || inputWidth % poolSize != 0) {
            throw new IllegalArgumentException(inputHeight + "x" + inputWidth + " features do not pool by " + poolSize);
        }
    }

    /** The released defaults for features of {@code height x width x channels}, seed 0. */
    public static FlashMemoryConfig paper(int height, int width, int channels) {
        return new FlashMemoryConfig(height, width, channels, 2, 60, 30, 120, 10, 0L);
    }

    /** Rows of the pooled grid the synopsis memory clusters. */
    public int synopsisHeight() {
        return inputHeight / poolSize;
    }

    /** Columns of the pooled grid the synopsis memory clusters. */
    public int synopsisWidth() {
        return inputWidth / poolSize;
    }

    public int synopsisTokens() {
        return synopsisHeight() * synopsisWidth();
    }

    public int detailTokens() {
        return inputHeight * inputWidth;
    }

    /** Tokens of a full memory: detailSlots H W + synopsisSlots (H/p)(W/p). */
    public int maxTokens() {
        return detailSlots * detailTokens() + synopsisSlots * synopsisTokens();
    }
}
