package dev.vstream.model.loader;

import dev.vstream.kernels.tensor.Shape;
import java.util.Objects;

/**
 * One entry of a safetensors header, validated: the byte range {@code [begin, end)} is relative to
 * the start of the data section and holds exactly {@code shape.elementCount()} values of
 * {@code dtype}.
 */
public record TensorInfo(String name, SafetensorsDType dtype, Shape shape, long begin, long end) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("bad byte range [" + begin + ", " + end + ") for " + name);
        }
        if (dtype.byteSize(shape.elementCount()) != end - begin) {
            throw new IllegalArgumentException("byte range [" + begin + ", " + end + ") of " + name
                    + " does not hold shape " + shape + " of " + dtype);
        }
    }

    public long byteSize() {
        return end - begin;
    }
}
