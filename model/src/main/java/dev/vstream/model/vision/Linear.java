package dev.vstream.model.vision;

import dev.vstream.kernels.linalg.Gemm;
import dev.vstream.kernels.linalg.OutputMode;
import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A fully connected layer {@code y = x W^T + b} and, as static methods, the two other matrix
 * products of the vision encoder (attention scores and probability-weighted values). Every
 * matrix product of the vision tower and the projector goes through this one class.
 *
 * <p>The projection runs on the injected {@link Gemm} of {@code dev.vstream.kernels.linalg},
 * which reads the weight in place: usually a view of the memory-mapped checkpoint, F32 or
 * BF16 (F16 weights, which the kernel does not read, are widened to an F32 heap copy), so the
 * checkpoint must stay open while the layer is used. The attention products are plain Java
 * loops until the kernels module has a strided (per-head) attention kernel; for ViT-L/14 they
 * are about 4% of the encoder's arithmetic.
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
     * {@code c[i][j] = scale * sum_p a[i][p] b[j][p]} (A B^T) for {@code i < m, j < n, p < k},
     * with row strides so that one head's slice of a {@code (tokens, hidden)} buffer can be
     * addressed in place: the attention scores {@code Q K^T / sqrt(d)}.
     */
    static void multiplyTransposed(float[] a, int aOffset, int aStride, float[] b, int bOffset, int bStride,
            int m, int n, int k, float scale, float[] c, int cOffset, int cStride) {
        for (int i = 0; i < m; i++) {
            int aRow = aOffset + i * aStride;
            for (int j = 0; j < n; j++) {
                int bRow = bOffset + j * bStride;
                float s0 = 0;
                float s1 = 0;
                int p = 0;
                for (; p + 1 < k; p += 2) {
                    s0 += a[aRow + p] * b[bRow + p];
                    s1 += a[aRow + p + 1] * b[bRow + p + 1];
                }
                if (p < k) {
                    s0 += a[aRow + p] * b[bRow + p];
                }
                c[cOffset + i * cStride + j] = scale * (s0 + s1);
            }
        }
    }

    /**
     * {@code c[i][j] = sum_p a[i][p] b[p][j]} (A B) for {@code i < m, j < n, p < k}, strided
     * like {@link #multiplyTransposed}: the attention output {@code softmax(scores) V}. The
     * inner loop is an axpy over contiguous {@code j}, which C2 vectorizes.
     */
    static void multiply(float[] a, int aOffset, int aStride, float[] b, int bOffset, int bStride,
            int m, int n, int k, float[] c, int cOffset, int cStride) {
        for (int i = 0; i < m; i++) {
            int cRow = cOffset + i * cStride;
            Arrays.fill(c, cRow, cRow + n, 0f);
            for (int p = 0; p < k; p++) {
                float aip = a[aOffset + i * aStride + p];
                int bRow = bOffset + p * bStride;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += aip * b[bRow + j];
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Linear[" + in() + " -> " + out() + ", " + weight.dtype() + (bias == null ? ", no bias" : "") + "]";
    }
}
