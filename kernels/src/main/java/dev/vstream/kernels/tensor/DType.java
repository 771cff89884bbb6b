package dev.vstream.kernels.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Element types a {@link Tensor} can hold. Storage is always little-endian (the safetensors
 * byte order) and elements need not be aligned: safetensors writers that do not pad the JSON
 * header (MLX, some hand-rolled exporters) leave tensors at odd byte offsets, so every read
 * goes through an unaligned layout.
 */
public enum DType {
    /** IEEE 754 binary32. */
    F32(4),
    /** bfloat16: the upper 16 bits of a binary32 (1 sign, 8 exponent, 7 mantissa bits). */
    BF16(2),
    /** IEEE 754 binary16 (1 sign, 5 exponent, 10 mantissa bits), subnormals included. */
    F16(2);

    static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Converts one element given as its raw bit pattern to float: the 32 bits for F32, the low
     * 16 bits for BF16 and F16 (higher bits are ignored). Every BF16 and F16 value is exactly
     * representable as a float, so the conversion is exact.
     */
    public float toFloat(int rawBits) {
        return switch (this) {
            case F32 -> Float.intBitsToFloat(rawBits);
            case BF16 -> bf16ToFloat((short) rawBits);
            case F16 -> f16ToFloat((short) rawBits);
        };
    }

    /** bf16 is a truncated f32, so widening is a 16-bit left shift of the bit pattern. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** IEEE half to float, exact for normals, subnormals, signed zeros, infinities and NaNs. */
    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /**
     * Rounds a float to bf16 with round-to-nearest-even, the rounding PyTorch's
     * {@code tensor.to(torch.bfloat16)} uses. NaNs stay NaN (quiet bit forced so that
     * truncating the payload never turns a NaN into an infinity).
     */
    public static short bf16FromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        // Adding 0x7FFF plus the lowest kept bit rounds half-way cases to the even neighbour;
        // a carry out of the mantissa correctly bumps the exponent (up to infinity).
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** Rounds a float to IEEE half with round-to-nearest-even. */
    public static short f16FromFloat(float value) {
        return Float.floatToFloat16(value);
    }

    /** Reads the element at {@code byteOffset} of a little-endian segment as float. */
    float read(MemorySegment segment, long byteOffset) {
        return switch (this) {
            case F32 -> segment.get(F32_LE, byteOffset);
            case BF16 -> bf16ToFloat(segment.get(I16_LE, byteOffset));
            case F16 -> f16ToFloat(segment.get(I16_LE, byteOffset));
        };
    }
}
