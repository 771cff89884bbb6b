package dev.vstream.memory.star;

import dev.vstream.memory.cluster.AveragePooling;

/**
 * Sizes of the STAR memory (Flash-VStream 2024, section 3.4). {@link #paper(int, int, int)} gives the paper's
 * values: P_spa 8, P_tem 4, P_abs 1, N_spa 1, N_tem 25, N_abs 25, N_ret 3, N_buff 300, alpha 0.2, d 32, which is
 * 25 + 25x16 + 3x64 + 1x64 = 681 tokens.
 *
 * @param inputHeight          patch rows of the encoder output (16 for CLIP ViT-L/14 at 224)
 * @param inputWidth           patch columns
 * @param channels             feature width C (1024)
 * @param spatialPool          P_spa: every frame is average-pooled to P_spa x P_spa first
 * @param temporalPool         P_tem: temporal memory slots (and retrieval keys) are P_tem x P_tem
 * @param abstractPool         P_abs: abstract memory slots are P_abs x P_abs
 * @param spatialFrames        N_spa: newest frames kept at P_spa
 * @param temporalSlots        N_tem: weighted K-means clusters
 * @param abstractSlots        N_abs: semantic-attention slots
 * @param retrievedFrames      N_ret: buffered frames retrieved for the largest clusters
 * @param bufferFrames         N_buff: newest frames kept for retrieval
 * @param abstractUpdateRatio  alpha of the momentum update M <- (1 - alpha) M + alpha softmax(QK^T / sqrt d) E
 * @param abstractChunkFrames  new frames per abstract update (1: every frame, as the streaming code; the offline
 *                             code used chunks of 25). With P_abs 1 and one frame per update the softmax runs
 *                             over a single key, so every slot moves by alpha towards the frame.
 * @param attentionDim         d of the learned q/k projections
 * @param kmeansIterations     most assignment passes of one K-means
 * @param seed                 seed of the K-means initialisation
 */
public record StarMemoryConfig(int inputHeight, int inputWidth, int channels, int spatialPool, int temporalPool,
                               int abstractPool, int spatialFrames, int temporalSlots, int abstractSlots,
                               int retrievedFrames, int bufferFrames, double abstractUpdateRatio,
                               int abstractChunkFrames, int attentionDim, int kmeansIterations, long seed) {

    public StarMemoryConfig {
        positive("inputHeight", inputHeight);
        positive("inputWidth", inputWidth);
        positive("channels", channels);
        positive("spatialFrames", spatialFrames);
        positive("temporalSlots", temporalSlots);
        positive("abstractSlots", abstractSlots);
        positive("abstractChunkFrames", abstractChunkFrames);
        positive("attentionDim", attentionDim);
        positive("kmeansIterations", kmeansIterations);
        if (retrievedFrames < 0 || retrievedFrames > temporalSlots) {
            throw new IllegalArgumentException("retrievedFrames must be in [0, temporalSlots=" + temporalSlots
                    + "], got " + retrievedFrames);
        }
        if (bufferFrames < spatialFrames) {
            throw new IllegalArgumentException("bufferFrames (" + bufferFrames + ") must hold the spatialFrames ("
                    + spatialFrames + ")");
        }
        if (!(abstractUpdateRatio > 0 && abstractUpdateRatio <= 1)) {
            throw new IllegalArgumentException("abstractUpdateRatio must be in (0, 1], got " + abstractUpdateRatio);
        }
        AveragePooling.requireDivisible("spatialPool", inputHeight, inputWidth, spatialPool);
        AveragePooling.requireDivisible("temporalPool", spatialPool, spatialPool, temporalPool);
        AveragePooling.requireDivisible("abstractPool", spatialPool, spatialPool, abstractPool);
    }

    /** The paper's sizes for an encoder output of {@code height x width x channels}, seed 0. */
    public static StarMemoryConfig paper(int height, int width, int channels) {
        return new StarMemoryConfig(height, width, channels, 8, 4, 1, 1, 25, 25, 3, 300, 0.2, 1, 32, 10, 0L);
    }

    /** The paper's sizes for CLIP ViT-L/14 at 224 px: 16x16x1024 inputs. */
    public static StarMemoryConfig paperClipL14() {
        return paper(16, 16, 1024);
    }

    public StarMemoryConfig withSeed(long newSeed) {
        return new StarMemoryConfig(inputHeight, inputWidth, channels, spatialPool, temporalPool, abstractPool,
                spatialFrames, temporalSlots, abstractSlots, retrievedFrames, bufferFrames, abstractUpdateRatio,
                abstractChunkFrames, attentionDim, kmeansIterations, newSeed);
    }

    public int spatialTokens() {
        return spatialPool * spatialPool;
    }

    public int temporalTokens() {
        return temporalPool * temporalPool;
    }

    public int abstractTokens() {
        return abstractPool * abstractPool;
    }

    /** Tokens of a full memory: N_abs P_abs^2 + N_tem P_tem^2 + (N_ret + N_spa) P_spa^2. */
    public int maxTokens() {
        return abstractSlots * abstractTokens() + temporalSlots * temporalTokens()
                + (retrievedFrames + spatialFrames) * spatialTokens();
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
