package dev.vstream.kernels.norm;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/** Checks shared by the {@link Norms} implementations, and scalar reads of their parameters. */
final class NormArguments {

    static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private NormArguments() {
    }

    static void check(float[] x, int xOffset, float[] out, int outOffset, int rows, int dim,
                      Tensor weight, Tensor bias, boolean weightRequired, float eps) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(out, "out");
        if (rows < 0 || dim < 0) {
            throw new IllegalArgumentException("rows and dim must not be negative: " + rows + " x " + dim);
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("eps must be a non-negative number, got " + eps);
        }
        if (weightRequired) {
            Objects.requireNonNull(weight, "weight");
        }
        requireVector(weight, "weight", dim);
        requireVector(bias, "bias", dim);
        long size = (long) rows * dim;
        requireRange("x", x.length, xOffset, size);
        requireRange("out", out.length, outOffset, size);
        if (x == out && xOffset != outOffset
                && Math.abs((long) xOffset - outOffset) < size) {
            throw new IllegalArgumentException("out overlaps x partially (offsets " + xOffset
                    + " and " + outOffset + " for " + size + " floats); use the same offset for in place");
        }
    }

    private static void requireVector(Tensor tensor, String name, int dim) {
        if (tensor == null) {
            return;
        }
        if (!tensor.shape().matches(dim)) {
            throw new IllegalArgumentException(name + " shape " + tensor.shape() + " does not match dim " + dim);
        }
        if (tensor.dtype() != DType.F32 && tensor.dtype() != DType.BF16) {
            throw new IllegalArgumentException(name + " dtype " + tensor.dtype() + " is not supported, expected F32 or BF16");
        }
    }

    private static void requireRange(String name, int length, int offset, long size) {
        if (offset < 0 || offset > length || size > length - offset) {
            throw new IllegalArgumentException(name + " needs " + size + " floats from offset "
                    + offset + " but has length " + length);
        }
    }

    /** {@code tensor[i]}, or {@code absent} without a tensor. */
    static float at(Tensor tensor, int i, float absent) {
        if (tensor == null) {
            return absent;
        }
        return tensor.dtype() == DType.F32
                ? tensor.segment().get(F32_LE, (long) i * Float.BYTES)
                : DType.bf16ToFloat(tensor.segment().get(I16_LE, (long) i * Short.BYTES));
    }
}
