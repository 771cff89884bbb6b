package dev.vstream.kernels.linalg;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Argument checks shared by every {@link Gemm} and {@link Gemv}, done once per call before any
 * output is written, so a bad call fails with the shapes in the message instead of an index
 * error (or silently wrong numbers) from deep inside a kernel. Also the scalar element reads
 * of weights and biases, in the storage layouts of {@link DType} (little-endian, unaligned).
 */
final class LinearArguments {

    static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32_LE =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LinearArguments() {
    }

    /**
     * Checks {@code C (m, n) = A (m, k) W^T} with {@code W (n, k)}: dtypes, the bias shape and
     * that both arrays hold the ranges the offsets promise.
     */
    static void check(float[] a, int aOffset, int m, Tensor weight, Tensor bias,
                      float[] c, int cOffset, OutputMode mode) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(c, "c");
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(mode, "mode");
        if (weight.shape().rank() != 2) {
            throw new IllegalArgumentException("weight must be (out, in), shape is " + weight.shape());
        }
        requireSupported(weight, "weight");
        long n = weight.shape().dim(0);
        long k = weight.shape().dim(1);
        if (n > Integer.MAX_VALUE || k > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("weight " + weight.shape() + " exceeds int dimensions");
        }
        if (bias != null) {
            requireSupported(bias, "bias");
            if (!bias.shape().matches(n)) {
                throw new IllegalArgumentException("bias shape " + bias.shape()
                        + " does not match weight " + weight.shape() + ": expected [" + n + "]");
            }
        }
        if (m < 0) {
            throw new IllegalArgumentException("m must not be negative, got " + m);
        }
        requireRange("a", a.length, aOffset, (long) m * k, m + " x " + k);
        requireRange("c", c.length, cOffset, (long) m * n, m + " x " + n);
    }

    private static void requireSupported(Tensor tensor, String what) {
        if (tensor.dtype() != DType.F32 && tensor.dtype() != DType.BF16) {
            throw new IllegalArgumentException(what + " dtype " + tensor.dtype()
                    + " is not supported, expected F32 or BF16 (" + tensor + ")");
        }
    }

    private static void requireRange(String name, int length, int offset, long size, String dims) {
        if (offset < 0 || offset > length || size > length - offset) {
            throw new IllegalArgumentException(name + " needs " + dims + " = " + size
                    + " floats from offset " + offset + " but has length " + length);
        }
    }

    /** {@code W[j, p]} as float, exact for both dtypes. */
    static float weightAt(Tensor weight, long j, long p) {
        long index = j * weight.shape().dim(1) + p;
        return elementAt(weight.segment(), weight.dtype(), index);
    }

    /** {@code bias[j]}, or 0 without a bias. */
    static float biasAt(Tensor bias, int j) {
        return bias == null ? 0f : elementAt(bias.segment(), bias.dtype(), j);
    }

    private static float elementAt(MemorySegment segment, DType dtype, long index) {
        return dtype == DType.F32
                ? segment.get(F32_LE, index * Float.BYTES)
                : DType.bf16ToFloat(segment.get(I16_LE, index * Short.BYTES));
    }
}
