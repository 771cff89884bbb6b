package dev.vstream.model.lm;

import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.OutputMode;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.loader.Checkpoint;
import java.util.Objects;

/**
 * A fully connected layer {@code y = x W^T + b} in PyTorch's {@code nn.Linear} layout, read in
 * place from the memory-mapped checkpoint (F32 or BF16). A block of rows (prefill) runs on the
 * kernels' GEMM, a single row (decode) on their GEMV, which streams the weight once.
 */
public final class Linear {

    private final Tensor weight; // (out, in)
    private final Tensor bias;   // (out), or null
    private final CpuKernels kernels;

    public Linear(Tensor weight, Tensor bias, CpuKernels kernels) {
        this.weight = Objects.requireNonNull(weight, "weight");
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        if (weight.shape().rank() != 2) {
            throw new IllegalArgumentException("a Linear weight is (out, in), got " + weight.shape());
        }
        if (bias != null && !bias.shape().matches(weight.shape().dim(0))) {
            throw new IllegalArgumentException("bias " + bias.shape() + " does not match weight " + weight.shape());
        }
        this.bias = bias;
    }

    /**
     * {@code <name>.weight} of shape {@code (out, in)} and, when {@code withBias},
     * {@code <name>.bias} of shape {@code (out)}.
     *
     * @throws dev.vstream.model.loader.ModelLoadException when a tensor is missing
     * @throws dev.vstream.model.loader.ShapeMismatchException when a shape differs
     */
    public static Linear load(Checkpoint checkpoint, String name, int out, int in, boolean withBias,
            CpuKernels kernels) {
        Tensor weight = checkpoint.tensor(name + ".weight", out, in);
        Tensor bias = withBias ? checkpoint.tensor(name + ".bias", out) : null;
        return new Linear(weight, bias, kernels);
    }

    /** Rows {@code [from, to)} of a weight as a view, e.g. one part of a fused projection. */
    public static Tensor rows(Tensor tensor, long from, long to) {
        Objects.checkFromToIndex(from, to, tensor.rows());
        long rowBytes = tensor.shape().dropFirst().elementCount() * tensor.dtype().byteSize();
        long[] dims = tensor.shape().dims();
        dims[0] = to - from;
        return new Tensor(Shape.of(dims), tensor.dtype(), tensor.segment().asSlice(from * rowBytes, (to - from) * rowBytes));
    }

    public int in() {
        return (int) weight.shape().dim(1);
    }

    public int out() {
        return (int) weight.shape().dim(0);
    }

    /** {@code y (rows, out) = x (rows, in) W^T + b}; x and y must not overlap. */
    public void forward(float[] x, int xOffset, int rows, float[] y, int yOffset) {
        multiply(x, xOffset, rows, y, yOffset, OutputMode.OVERWRITE);
    }

    /** {@code y += x W^T + b}: the projection with its residual connection fused. */
    public void forwardAdd(float[] x, int xOffset, int rows, float[] y, int yOffset) {
        multiply(x, xOffset, rows, y, yOffset, OutputMode.ACCUMULATE);
    }

    private void multiply(float[] x, int xOffset, int rows, float[] y, int yOffset, OutputMode mode) {
        if (rows == 1) {
            kernels.gemv().multiply(x, xOffset, weight, bias, y, yOffset, mode);
        } else {
            kernels.gemm().multiply(x, xOffset, rows, weight, bias, y, yOffset, mode);
        }
    }

    @Override
    public String toString() {
        return "Linear[" + in() + " -> " + out() + ", " + weight.dtype() + (bias == null ? ", no bias" : "") + "]";
    }
}
