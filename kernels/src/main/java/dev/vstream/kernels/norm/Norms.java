package dev.vstream.kernels.norm;

import dev.vstream.kernels.tensor.Tensor;

/**
 * Normalisation over the last dimension of {@code rows} contiguous rows of {@code dim} floats,
 * with the learned scale (and shift) read in place from the checkpoint, F32 or BF16.
 * {@code out} may be {@code x} itself (same offsets) for in-place use; partial overlap is not
 * allowed. Chosen once at start-up, see {@code dev.vstream.kernels.cpu.CpuKernels}.
 */
public interface Norms {

    /**
     * RMSNorm (Zhang and Sennrich 2019), as in Llama, Mamba and the hybrid LMs:
     * <pre>
     *   out[i] = x[i] / sqrt(mean_j(x[j]^2) + eps) * weight[i]
     * </pre>
     *
     * @param weight {@code (dim)} scale
     */
    void rmsNorm(float[] x, int xOffset, float[] out, int outOffset, int rows, int dim,
                 Tensor weight, float eps);

    /**
     * LayerNorm (Ba et al. 2016) as {@code torch.nn.LayerNorm} computes it, with the biased
     * variance:
     * <pre>
     *   mu = mean_j x[j],  var = mean_j (x[j] - mu)^2
     *   out[i] = (x[i] - mu) / sqrt(var + eps) * weight[i] + bias[i]
     * </pre>
     *
     * @param weight {@code (dim)} scale, or {@code null} for none (1)
     * @param bias   {@code (dim)} shift, or {@code null} for none (0)
     */
    void layerNorm(float[] x, int xOffset, float[] out, int outOffset, int rows, int dim,
                   Tensor weight, Tensor bias, float eps);
}
