package dev.vstream.kernels.elementwise;

import java.util.Objects;

/** Range and overlap checks shared by the {@link Elementwise} implementations. */
final class ElementwiseArguments {

    private ElementwiseArguments() {
    }

    static void check(float[] dst, int dstOffset, float[] src, int srcOffset, int length) {
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(src, "src");
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative, got " + length);
        }
        requireRange("dst", dst.length, dstOffset, length);
        requireRange("src", src.length, srcOffset, length);
        if (dst == src && dstOffset != srcOffset && Math.abs((long) dstOffset - srcOffset) < length) {
            throw new IllegalArgumentException("src overlaps dst partially (offsets " + srcOffset
                    + " and " + dstOffset + " for " + length + " floats)");
        }
    }

    private static void requireRange(String name, int arrayLength, int offset, int length) {
        if (offset < 0 || offset > arrayLength || length > arrayLength - offset) {
            throw new IllegalArgumentException(name + " needs " + length + " floats from offset "
                    + offset + " but has length " + arrayLength);
        }
    }
}
