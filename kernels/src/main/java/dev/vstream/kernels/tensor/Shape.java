package dev.vstream.kernels.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * The dimensions of a row-major tensor, outermost first (the safetensors and PyTorch order).
 * Rank 0 is a scalar with one element; a zero dimension gives an empty tensor.
 *
 * <p>Immutable: the array is copied on the way in and on the way out, so a caller can never
 * change the shape of a tensor it handed over. The element count is checked for overflow once,
 * here, so {@link #elementCount()} can never fail later.
 */
public record Shape(long[] dims) {

    /**
     * Highest rank accepted. Real checkpoints stop at 4 or 5 (conv weights); the cap keeps a
     * hostile file from making the loader allocate a huge dims array.
     */
    public static final int MAX_RANK = 16;

    public Shape {
        Objects.requireNonNull(dims, "dims");
        if (dims.length > MAX_RANK) {
            throw new IllegalArgumentException(
                    "rank " + dims.length + " exceeds the maximum rank " + MAX_RANK);
        }
        dims = dims.clone();
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException(
                        "dimension " + i + " is negative in " + Arrays.toString(dims));
            }
            try {
                count = Math.multiplyExact(count, dims[i]);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(
                        "element count of " + Arrays.toString(dims) + " overflows a long", e);
            }
        }
    }

    /** Shorthand: {@code Shape.of(rows, cols)}. */
    public static Shape of(long... dims) {
        return new Shape(dims);
    }

    /** A copy of the dimensions. */
    @Override
    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    /** Size of dimension {@code axis}; negative axes count from the end, as in PyTorch. */
    public long dim(int axis) {
        int resolved = axis < 0 ? axis + dims.length : axis;
        Objects.checkIndex(resolved, dims.length);
        return dims[resolved];
    }

    /** Product of the dimensions (1 for a scalar); cannot overflow, checked at construction. */
    public long elementCount() {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        return count;
    }

    /** The shape without its first dimension: the shape of one row. */
    public Shape dropFirst() {
        if (dims.length == 0) {
            throw new IllegalArgumentException("a scalar shape has no rows");
        }
        return new Shape(Arrays.copyOfRange(dims, 1, dims.length));
    }

    /** True when the dimensions equal {@code expected}, element by element. */
    public boolean matches(long... expected) {
        return Arrays.equals(dims, expected);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Shape shape && Arrays.equals(dims, shape.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** PyTorch-like rendering, e.g. {@code [2048, 6144]}; used in every shape error message. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
