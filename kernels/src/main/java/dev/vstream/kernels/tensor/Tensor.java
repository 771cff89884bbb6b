package dev.vstream.kernels.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A read-only, row-major view of tensor data in a {@link MemorySegment}: usually a slice of a
 * memory-mapped safetensors file, so weights stay in the page cache and never occupy the Java
 * heap. Only {@link #toFloatArray()} and {@link #copyTo} copy, and only when asked.
 *
 * <p>The segment is little-endian and may be unaligned (see {@link DType}). Its lifetime is that
 * of the arena that owns it: reading after the owner (e.g. the safetensors file) is closed
 * throws {@link IllegalStateException}, never reads freed memory.
 *
 * @param shape   dimensions, outermost first
 * @param dtype   element type of the stored bytes
 * @param segment exactly {@code shape.elementCount() * dtype.byteSize()} bytes, held read-only
 */
public record Tensor(Shape shape, DType dtype, MemorySegment segment) {

    public Tensor {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(segment, "segment");
        // Cannot overflow in a way that matters: a segment is at most Long.MAX_VALUE bytes, so
        // an overflowing product can never equal its size; multiplyHigh catches the wrap.
        long count = shape.elementCount();
        long bytes = count * dtype.byteSize();
        if (Math.multiplyHigh(count, dtype.byteSize()) != 0 || bytes != segment.byteSize()) {
            throw new IllegalArgumentException("shape " + shape + " of " + dtype + " needs "
                    + count + " x " + dtype.byteSize() + " bytes but the segment has "
                    + segment.byteSize());
        }
        segment = segment.asReadOnly();
    }

    /**
     * A heap tensor holding a copy of {@code values} encoded as {@code dtype} (rounded to
     * nearest-even for BF16 and F16). Meant for tests and small constants, not for weights.
     */
    public static Tensor fromFloats(Shape shape, DType dtype, float... values) {
        if (values.length != shape.elementCount()) {
            throw new IllegalArgumentException(values.length + " values given for shape " + shape
                    + " (" + shape.elementCount() + " elements)");
        }
        MemorySegment segment = MemorySegment.ofArray(new byte[values.length * dtype.byteSize()]);
        for (int i = 0; i < values.length; i++) {
            long offset = (long) i * dtype.byteSize();
            switch (dtype) {
                case F32 -> segment.set(DType.F32_LE, offset, values[i]);
                case BF16 -> segment.set(DType.I16_LE, offset, DType.bf16FromFloat(values[i]));
                case F16 -> segment.set(DType.I16_LE, offset, DType.f16FromFloat(values[i]));
            }
        }
        return new Tensor(shape, dtype, segment);
    }

    public long elementCount() {
        return shape.elementCount();
    }

    public long byteSize() {
        return segment.byteSize();
    }

    /** The element at a row-major flat index, converted to float. */
    public float getFloat(long flatIndex) {
        Objects.checkIndex(flatIndex, elementCount());
        return dtype.read(segment, flatIndex * dtype.byteSize());
    }

    /** The element at {@code (row, col)} of a rank-2 tensor, converted to float. */
    public float getFloat(long row, long col) {
        if (shape.rank() != 2) {
            throw new IllegalArgumentException("getFloat(row, col) needs rank 2, shape is " + shape);
        }
        Objects.checkIndex(row, shape.dim(0));
        Objects.checkIndex(col, shape.dim(1));
        return dtype.read(segment, (row * shape.dim(1) + col) * dtype.byteSize());
    }

    /** Size of the first dimension. */
    public long rows() {
        return shape.dim(0);
    }

    /**
     * Row {@code index} along the first dimension, as a view (no copy): for an embedding
     * {@code (vocab, hidden)} this is one token's vector {@code (hidden)}.
     */
    public Tensor row(long index) {
        Shape rowShape = shape.dropFirst();
        Objects.checkIndex(index, shape.dim(0));
        long rowBytes = rowShape.elementCount() * dtype.byteSize();
        return new Tensor(rowShape, dtype, segment.asSlice(index * rowBytes, rowBytes));
    }

    /** The same bytes under another shape with the same element count, e.g. a conv weight
     * {@code (channels, 1, kernel)} seen as {@code (channels, kernel)}. */
    public Tensor reshape(Shape newShape) {
        if (newShape.elementCount() != elementCount()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " to " + newShape
                    + ": element counts differ");
        }
        return new Tensor(newShape, dtype, segment);
    }

    /** All elements as floats, copied to a new heap array. */
    public float[] toFloatArray() {
        long count = elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of shape " + shape + " has " + count
                    + " elements, too many for one Java array");
        }
        float[] out = new float[(int) count];
        copyTo(out, 0);
        return out;
    }

    /**
     * Converts all elements into {@code dst} starting at {@code dstOffset}: the preallocated
     * form of {@link #toFloatArray()}, for hot paths that must not allocate.
     */
    public void copyTo(float[] dst, int dstOffset) {
        long count = elementCount();
        Objects.checkFromIndexSize(dstOffset, count, dst.length);
        int n = (int) count;
        switch (dtype) {
            // Bulk copy: the layout's byte order makes this correct on any platform.
            case F32 -> MemorySegment.copy(segment, DType.F32_LE, 0, dst, dstOffset, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOffset + i] = DType.bf16ToFloat(
                            segment.get(DType.I16_LE, (long) i * Short.BYTES));
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOffset + i] = DType.f16ToFloat(
                            segment.get(DType.I16_LE, (long) i * Short.BYTES));
                }
            }
        }
    }

    /** Shape and dtype only; printing the data of a multi-GB tensor is never wanted. */
    @Override
    public String toString() {
        return "Tensor" + shape + " " + dtype + " (" + segment.byteSize() + " bytes)";
    }
}
