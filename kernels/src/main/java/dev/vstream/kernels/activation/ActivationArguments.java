package dev.vstream.kernels.activation;

import java.util.Objects;

/** Range checks shared by the {@link Activations} implementations. */
final class ActivationArguments {

    private ActivationArguments() {
    }

    static void check(float[] x, int offset, long length) {
        Objects.requireNonNull(x, "x");
        if (length < 0 || offset < 0 || offset > x.length || length > x.length - offset) {
            throw new IllegalArgumentException("x needs " + length + " floats from offset " + offset
                    + " but has length " + x.length);
        }
    }

    static void checkRows(float[] x, int offset, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("rows and cols must not be negative: " + rows + " x " + cols);
        }
        check(x, offset, (long) rows * cols);
    }
}
