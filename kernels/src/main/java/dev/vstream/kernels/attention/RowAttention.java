package dev.vstream.kernels.attention;

/**
 * One query position attending every cached position (a decode step, the last row of a
 * prompt), the cache read in place:
 *
 * <pre>
 *   out_h = sum_j softmax_j(scale * q_h . K[j, keyColumns[h] ..]) V[j, valueColumns[h] ..]
 * </pre>
 *
 * over the rows of {@code first} then {@code second} (a context's frozen prefix and the rows
 * appended since; either may be empty, not both). At a long context this is a pass over the
 * whole cache per layer and token, bound by memory bandwidth: the vector kernel reads each
 * key and value row once, split over the compute pool (flash-decoding). Chosen once at
 * start-up, see {@code dev.vstream.kernels.cpu.CpuKernels}; instances hold scratch, one per
 * inference loop.
 */
public interface RowAttention {

    /**
     * @param query {@code (heads, headDim)} from {@code queryOffset}, not scaled
     * @param out   {@code (heads, valueWidth)} from {@code outOffset}, overwritten
     */
    void attend(float[] query, int queryOffset, RowAttentionLayout layout, float scale, KvRows first, KvRows second,
                float[] out, int outOffset);
}
