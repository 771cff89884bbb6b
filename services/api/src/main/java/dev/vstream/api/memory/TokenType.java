package dev.vstream.api.memory;

import dev.vstream.api.frame.MalformedRecordException;

/** How the memory tokens' values travel: IEEE 754 binary16 or binary32, big-endian. */
public enum TokenType {
    /** binary32: the memory's values exactly. */
    F32(1, 4),
    /** binary16 (round to nearest even): half the bytes; what a fp16 language model reads anyway. */
    F16(2, 2);

    private final byte code;
    private final int bytes;

    TokenType(int code, int bytes) {
        this.code = (byte) code;
        this.bytes = bytes;
    }

    public byte code() {
        return code;
    }

    /** Bytes per value on the wire. */
    public int bytes() {
        return bytes;
    }

    /** {@code value} as it reads back after a round trip through this type. */
    public float roundTrip(float value) {
        return this == F32 ? value : Float.float16ToFloat(Float.floatToFloat16(value));
    }

    public static TokenType ofCode(byte code) throws MalformedRecordException {
        for (TokenType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new MalformedRecordException("unknown token type code " + (code & 0xff));
    }
}
