package dev.vstream.kernels.testing;

/**
 * A named error budget: an element passes when {@code |actual - expected| <= relative * scale
 * + absolute}, where {@code scale} is the magnitude the error can grow with (for a dot product
 * {@code sum |a_p w_p|}, the classic bound of floating-point summation; for a pointwise op
 * {@code |expected|}).
 */
public record Tolerance(String name, double relative, double absolute) {

    public Tolerance {
        if (relative < 0 || absolute < 0) {
            throw new IllegalArgumentException("tolerances must not be negative");
        }
    }

    public boolean admits(double error, double scale) {
        return error <= relative * scale + absolute;
    }

    @Override
    public String toString() {
        return name + " (rel " + relative + " x scale + abs " + absolute + ")";
    }
}
