package dev.vstream.model.vision;

import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A fully connected layer {@code y = x W^T + b} and, as static methods, the two other matrix
 * products of the vision encoder (attention scores and probability-weighted values). Every
 * matrix product of the vision tower and the projector goes through this one class, so that it
 * can be switched to the GEMM kernels of {@code dev.vstream.kernels.linalg} in one place.
 *
 * <p>Plain Java for now. The weight is stored transposed, {@code (in, out)}, so the inner loop
 * is an axpy over contiguous outputs ({@code y[o] += x[i] * W^T[i][o]}), which C2 vectorizes;
 * outputs are tiled so a slice of {@code W^T} stays in cache while four rows reuse it.
 * Accumulation is in float, in input order.
 */
public final class Linear {

    /** Output columns per tile: 256 floats of y per row, {@code in x 1 KiB} of weight. */
    private static final int OUT_TILE = 256;
    private static final int ROW_BLOCK = 4;

    private final int in;
    private final int out;
    private final float[] weightT; // (in, out): W transposed
    private final float[] bias;    // (out), or null for no bias

    private Linear(int in, int out, float[] weightT, float[] bias) {
        this.in = in;
        this.out = out;
        this.weightT = weightT;
        this.bias = bias;
    }

    /**
     * Copies a PyTorch {@code nn.Linear} weight {@code (out, in)} (any dtype, widened to
     * float) and an optional bias {@code (out)}; shapes are expected to be checked by the
     * loader, and are checked again here.
     */
    public static Linear of(Tensor weight, Tensor bias) {
        Objects.requireNonNull(weight, "weight");
        if (weight.shape().rank() != 2) {
            throw new IllegalArgumentException("a Linear weight is (out, in), got " + weight.shape());
        }
        int out = Math.toIntExact(weight.shape().dim(0));
        int in = Math.toIntExact(weight.shape().dim(1));
        if (bias != null && !bias.shape().equals(Shape.of(out))) {
            throw new IllegalArgumentException("bias shape " + bias.shape() + " does not match " + out + " outputs");
        }
        return of(weight.toFloatArray(), bias == null ? null : bias.toFloatArray(), out, in);
    }

    /** From a row-major {@code (out, in)} weight array and an optional {@code (out)} bias. */
    public static Linear of(float[] weight, float[] bias, int out, int in) {
        if (out <= 0 || in <= 0 || weight.length != (long) out * in) {
            throw new IllegalArgumentException("weight of " + weight.length + " values is not (" + out + ", " + in + ")");
        }
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("bias of " + bias.length + " values for " + out + " outputs");
        }
        float[] weightT = new float[weight.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                weightT[i * out + o] = weight[o * in + i];
            }
        }
        return new Linear(in, out, weightT, bias == null ? null : bias.clone());
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    /**
     * {@code y[r][o] = b[o] + sum_i x[r][i] W[o][i]} for {@code rows} rows; x is
     * {@code (rows, in)} at {@code xOffset}, y is {@code (rows, out)} at {@code yOffset}. x and y
     * must not overlap.
     */
    public void forward(float[] x, int xOffset, int rows, float[] y, int yOffset) {
        Objects.checkFromIndexSize(xOffset, (long) rows * in, x.length);
        Objects.checkFromIndexSize(yOffset, (long) rows * out, y.length);
        for (int o0 = 0; o0 < out; o0 += OUT_TILE) {
            int o1 = Math.min(out, o0 + OUT_TILE);
            for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
                int r1 = Math.min(rows, r0 + ROW_BLOCK);
                for (int r = r0; r < r1; r++) {
                    int yRow = yOffset + r * out;
                    if (bias == null) {
                        Arrays.fill(y, yRow + o0, yRow + o1, 0f);
                    } else {
                        System.arraycopy(bias, o0, y, yRow + o0, o1 - o0);
                    }
                }
                for (int i = 0; i < in; i++) {
                    int w = i * out;
                    for (int r = r0; r < r1; r++) {
                        float xi = x[xOffset + r * in + i];
                        int yRow = yOffset + r * out;
                        for (int o = o0; o < o1; o++) {
                            y[yRow + o] += xi * weightT[w + o];
                        }
                    }
                }
            }
        }
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
     * like {@link #multiplyTransposed}: the attention output {@code softmax(scores) V}.
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
        return "Linear[" + in + " -> " + out + (bias == null ? ", no bias" : "") + "]";
    }
}
