package dev.vstream.kernels.activation;

/**
 * Pointwise nonlinearities and row softmax, in place on {@code length} contiguous floats from
 * {@code offset} (softmax: {@code rows} rows of {@code cols}). Chosen once at start-up, see
 * {@code dev.vstream.kernels.cpu.CpuKernels}.
 */
public interface Activations {

    /** SiLU / swish, the gate of SwiGLU: {@code x * sigmoid(x) = x / (1 + e^-x)}. */
    void silu(float[] x, int offset, int length);

    /**
     * GELU, tanh approximation ({@code approximate='tanh'}, "gelu_pytorch_tanh", used by
     * SigLIP): {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}.
     */
    void geluTanh(float[] x, int offset, int length);

    /** GELU, exact form (CLIP's "gelu"): {@code 0.5 x (1 + erf(x / sqrt 2))}. */
    void geluErf(float[] x, int offset, int length);

    /**
     * Softmax of each row, {@code e^(x_i - max) / sum_j e^(x_j - max)}: subtracting the row
     * maximum keeps every exponent at most 0, so nothing overflows. {@code -inf} entries (masked
     * positions) become 0; a row of only {@code -inf} becomes NaN, as in PyTorch.
     */
    void softmaxRows(float[] x, int offset, int rows, int cols);
}
