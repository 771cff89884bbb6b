package dev.vstream.model.vision;

import dev.vstream.kernels.linalg.Gemm;
import dev.vstream.kernels.linalg.OutputMode;
import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import java.util.Objects;

/**
 * A fully connected layer {@code y = x W^T + b} and, as a static method, the attention
 * products of the vision encoder. Every matrix product of the vision tower and the projector
 * goes through this one class.
 *
 * <p>Every product runs on the injected {@link Gemm} of {@code dev.vstream.kernels.linalg},
 * which reads the weight in place: usually a view of the memory-mapped checkpoint, F32 or
 * BF16 (F16 weights, which the kernel does not read, are widened to an F32 heap copy), so the
 * checkpoint must stay open while the layer is used.
 */
public final class Linear {

    private final Tensor weight; // (out, in), F32 or BF16
    private final Tensor bias;   // (out), or null for no bias
    private final Gemm gemm;

    private Linear(Tensor weight, Tensor bias, Gemm gemm) {
        this.weight = weight;
        this.bias = bias;
        this.gemm = gemm;
    }

    /**
     * A PyTorch {@code nn.Linear} weight {@code (out, in)} and optional bias {@code (out)},
     * used in place; shapes are checked by the loader and again here.
     */
    public static Linear of(Tensor weight, Tensor bias, Gemm gemm) {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(gemm, "gemm");
        if (weight.shape().rank() != 2) {
            throw new IllegalArgumentException("a Linear weight is (out, in), got " + weight.shape());
        }
        if (bias != null && !bias.shape().equals(Shape.of(weight.shape().dim(0)))) {
            throw new IllegalArgumentException("bias shape " + bias.shape() + " does not match weight " + weight.shape());
        }
        return new Linear(readable(weight), bias == null ? null : readable(bias), gemm);
    }

    /** From a row-major {@code (out, in)} weight array and an optional {@code (out)} bias, copied. */
    public static Linear of(float[] weight, float[] bias, int out, int in, Gemm gemm) {
        if (out <= 0 || in <= 0 || weight.length != (long) out * in) {
            throw new IllegalArgumentException("weight of " + weight.length + " values is not (" + out + ", " + in + ")");
        }
        return of(Tensor.fromFloats(Shape.of(out, in), DType.F32, weight),
                bias == null ? null : Tensor.fromFloats(Shape.of(bias.length), DType.F32, bias), gemm);
    }

    /** Rows {@code [from, to)} along the first dimension as a view, e.g. one of the packed Wq, Wk, Wv. */
    static Tensor rows(Tensor tensor, long from, long to) {
        Shape row = tensor.shape().dropFirst();
        long rowBytes = row.elementCount() * tensor.dtype().byteSize();
        long[] dims = tensor.shape().dims();
        dims[0] = to - from;
        return new Tensor(Shape.of(dims), tensor.dtype(), tensor.segment().asSlice(from * rowBytes, (to - from) * rowBytes));
    }

    private static Tensor readable(Tensor tensor) {
        return tensor.dtype() == DType.F16 ? Tensor.fromFloats(tensor.shape(), DType.F32, tensor.toFloatArray()) : tensor;
    }

    public int in() {
        return (int) weight.shape().dim(1);
    }

    public int out() {
        return (int) weight.shape().dim(0);
    }

    /**
     * {@code y[r][o] = b[o] + sum_i x[r][i] W[o][i]} for {@code rows} rows; x is
     * {@code (rows, in)} at {@code xOffset}, y is {@code (rows, out)} at {@code yOffset}. x and y
     * must not overlap.
     */
    public void forward(float[] x, int xOffset, int rows, float[] y, int yOffset) {
        gemm.multiply(x, xOffset, rows, weight, bias, y, yOffset, OutputMode.OVERWRITE);
    }

    /** {@code y += x W^T + b}: the projection with its residual connection fused. */
    public void forwardAdd(float[] x, int xOffset, int rows, float[] y, int yOffset) {
        gemm.multiply(x, xOffset, rows, weight, bias, y, yOffset, OutputMode.ACCUMULATE);
    }

    /**
     * {@code c[i][j] = sum_p a[i][p] b[j][p]} (A B^T) for an activation {@code a (m, k)} at
     * {@code aOffset} and a contiguous {@code b (n, k)}, into {@code c (m, n)} at
     * {@code cOffset}: the attention products, each head's slice gathered into {@code b}
     * first ({@code Q K^T} with b = K; {@code P V} with b = V^T).
     */
    static void multiplyTransposed(Gemm gemm, float[] a, int aOffset, int m, Tensor b, float[] c, int cOffset) {
        gemm.multiply(a, aOffset, m, b, null, c, cOffset, OutputMode.OVERWRITE);
    }

    @Override
    public String toString() {
        return "Linear[" + in() + " -> " + out() + ", " + weight.dtype() + (bias == null ? ", no bias" : "") + "]";
    }
}
