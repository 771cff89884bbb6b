package dev.vstream.memory.encoder;

import dev.vstream.memory.star.StarMemoryConfig;

/**
 * The STAR memory's sizes apart from its input, which the encoder decides. {@link #PAPER} is Flash-VStream 2024's
 * (section 3.4): P_spa 8, P_tem 4, P_abs 1, N_spa 1, N_tem 25, N_abs 25, N_ret 3, N_buff 300, alpha 0.2, one frame per
 * abstract update, d 32, 10 K-means passes, seed 0.
 */
public record StarSizes(int spatialPool, int temporalPool, int abstractPool, int spatialFrames, int temporalSlots,
                        int abstractSlots, int retrievedFrames, int bufferFrames, double abstractUpdateRatio,
                        int abstractChunkFrames, int attentionDim, int kmeansIterations, long seed) {

    public static final StarSizes PAPER = new StarSizes(8, 4, 1, 1, 25, 25, 3, 300, 0.2, 1, 32, 10, 0L);

    /**
     * The memory config for an encoder output of {@code height x width x channels}.
     *
     * @throws IllegalArgumentException when the sizes do not fit that output (e.g. P_spa 8 over a 4x4 grid)
     */
    public StarMemoryConfig forInput(int height, int width, int channels) {
        return new StarMemoryConfig(height, width, channels, spatialPool, temporalPool, abstractPool, spatialFrames,
                temporalSlots, abstractSlots, retrievedFrames, bufferFrames, abstractUpdateRatio, abstractChunkFrames,
                attentionDim, kmeansIterations, seed);
    }
}
