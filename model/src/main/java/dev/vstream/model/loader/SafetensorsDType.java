package dev.vstream.model.loader;

import dev.vstream.kernels.tensor.DType;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every dtype name the safetensors format defines, with its width in bits. All of them are
 * recognised so a header can be validated in full (byte ranges depend on the width) and a
 * checkpoint that carries, say, an I64 buffer next to its BF16 weights still opens; only reading
 * a tensor of a type the kernels lack fails, with an "unsupported dtype" error naming it.
 */
public enum SafetensorsDType {
    BOOL(8, null),
    U8(8, null),
    I8(8, null),
    F8_E5M2(8, null),
    F8_E4M3(8, null),
    /** Exponent-only scale type of the OCP microscaling formats. */
    F8_E8M0(8, null),
    I16(16, null),
    U16(16, null),
    F16(16, DType.F16),
    BF16(16, DType.BF16),
    I32(32, null),
    U32(32, null),
    F32(32, DType.F32),
    F64(64, null),
    I64(64, null),
    U64(64, null),
    /** Complex64 (two F32), written by newer writers. */
    C64(64, null),
    /** Sub-byte microscaling types: a tensor's total bit count must fill whole bytes. */
    F4(4, null),
    F6_E2M3(6, null),
    F6_E3M2(6, null);

    private static final Map<String, SafetensorsDType> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(SafetensorsDType::name, Function.identity()));

    private final int bits;
    private final DType tensorType;

    SafetensorsDType(int bits, DType tensorType) {
        this.bits = bits;
        this.tensorType = tensorType;
    }

    /** The dtype for a header name; names are case-sensitive, as in the format. */
    public static Optional<SafetensorsDType> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public int bits() {
        return bits;
    }

    /** The kernels' element type, or empty when no kernel can read this dtype yet. */
    public Optional<DType> tensorType() {
        return Optional.ofNullable(tensorType);
    }

    /**
     * Bytes taken by {@code elements} values, or -1 when the bit count overflows a long or does
     * not fill whole bytes (possible only for the 4- and 6-bit types).
     */
    long byteSize(long elements) {
        if (elements > Long.MAX_VALUE / bits) {
            return -1;
        }
        long totalBits = elements * bits;
        return totalBits % 8 == 0 ? totalBits / 8 : -1;
    }
}
