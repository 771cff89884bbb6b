package dev.vstream.model.loader;

import dev.vstream.kernels.tensor.Shape;

/**
 * A tensor exists but its shape is not the one the model code expects: usually a config value
 * (hidden size, head count, d_state) that disagrees with the weights, or a checkpoint of another
 * model variant. Names the file, the tensor, the expected and the actual shape.
 */
public class ShapeMismatchException extends ModelLoadException {

    private final String file;
    private final String tensor;
    private final long[] expected;
    private final Shape actual;

    public ShapeMismatchException(String file, String tensor, long[] expected, Shape actual) {
        super(file + ": tensor " + quote(tensor) + " has shape " + actual + ", expected "
                + render(expected));
        this.file = file;
        this.tensor = tensor;
        this.expected = expected.clone();
        this.actual = actual;
    }

    public String file() {
        return file;
    }

    public String tensor() {
        return tensor;
    }

    /** The expected dimensions; -1 marks a dimension that may take any size. */
    public long[] expected() {
        return expected.clone();
    }

    public Shape actual() {
        return actual;
    }

    /** True when {@code actual} has the expected rank and every non-wildcard dimension. */
    static boolean matches(Shape actual, long[] expected) {
        if (actual.rank() != expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] < -1) {
                throw new IllegalArgumentException(
                        "expected shape " + render(expected) + " has a dimension below -1");
            }
            if (expected[i] != -1 && expected[i] != actual.dim(i)) {
                return false;
            }
        }
        return true;
    }

    /** Like {@link Shape#toString()}, with {@code *} for a wildcard dimension. */
    static String render(long[] expected) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < expected.length; i++) {
            out.append(i == 0 ? "" : ", ").append(expected[i] == -1 ? "*" : Long.toString(expected[i]));
        }
        return out.append(']').toString();
    }
}
