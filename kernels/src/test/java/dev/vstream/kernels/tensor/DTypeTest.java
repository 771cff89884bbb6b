package dev.vstream.kernels.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DTypeTest {

    @Test
    void byteSizes() {
        assertThat(DType.F32.byteSize()).isEqualTo(4);
        assertThat(DType.BF16.byteSize()).isEqualTo(2);
        assertThat(DType.F16.byteSize()).isEqualTo(2);
    }

    @Test
    void bf16ExactValues() {
        assertBits(DType.bf16ToFloat((short) 0x3F80), 1.0f);
        assertBits(DType.bf16ToFloat((short) 0xBF80), -1.0f);
        assertBits(DType.bf16ToFloat((short) 0x4049), 3.140625f); // pi truncated to 7 bits
        assertBits(DType.bf16ToFloat((short) 0xC2F7), -123.5f);
        assertBits(DType.bf16ToFloat((short) 0x0000), 0.0f);
        assertBits(DType.bf16ToFloat((short) 0x8000), -0.0f);
        assertBits(DType.bf16ToFloat((short) 0x7F80), Float.POSITIVE_INFINITY);
        assertBits(DType.bf16ToFloat((short) 0xFF80), Float.NEGATIVE_INFINITY);
        assertThat(DType.bf16ToFloat((short) 0x7FC0)).isNaN();
        assertThat(DType.bf16ToFloat((short) 0xFF81)).isNaN();
        // Largest finite bf16: (2 - 2^-7) * 2^127; smallest normal 2^-126; smallest subnormal 2^-133.
        assertBits(DType.bf16ToFloat((short) 0x7F7F), (float) ((2 - Math.pow(2, -7)) * Math.pow(2, 127)));
        assertBits(DType.bf16ToFloat((short) 0x0080), Math.scalb(1f, -126));
        assertBits(DType.bf16ToFloat((short) 0x0001), Math.scalb(1f, -133));
    }

    @Test
    void f16ExactValues() {
        assertBits(DType.f16ToFloat((short) 0x3C00), 1.0f);
        assertBits(DType.f16ToFloat((short) 0xC000), -2.0f);
        assertBits(DType.f16ToFloat((short) 0x5640), 100.0f);
        assertBits(DType.f16ToFloat((short) 0x3555), 0.333251953125f);
        assertBits(DType.f16ToFloat((short) 0x7BFF), 65504.0f);
        assertBits(DType.f16ToFloat((short) 0x0400), Math.scalb(1f, -14)); // smallest normal
        assertBits(DType.f16ToFloat((short) 0x0001), Math.scalb(1f, -24)); // smallest subnormal
        assertBits(DType.f16ToFloat((short) 0x03FF), 1023 * Math.scalb(1f, -24)); // largest subnormal
        assertBits(DType.f16ToFloat((short) 0x8001), -Math.scalb(1f, -24));
        assertBits(DType.f16ToFloat((short) 0x0000), 0.0f);
        assertBits(DType.f16ToFloat((short) 0x8000), -0.0f);
        assertBits(DType.f16ToFloat((short) 0x7C00), Float.POSITIVE_INFINITY);
        assertBits(DType.f16ToFloat((short) 0xFC00), Float.NEGATIVE_INFINITY);
        assertThat(DType.f16ToFloat((short) 0x7E00)).isNaN();
        assertThat(DType.f16ToFloat((short) 0x7C01)).isNaN(); // signalling NaN stays NaN
        assertThat(DType.f16ToFloat((short) 0xFFFF)).isNaN();
    }

    /** Every one of the 65,536 patterns against the textbook formula, evaluated in double. */
    @Test
    void allHalfPatternsMatchTheFormula() {
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            double sign = (bits >>> 15) == 0 ? 1.0 : -1.0;
            int bf16Exp = (bits >>> 7) & 0xFF;
            int bf16Mant = bits & 0x7F;
            // Boxed Double equality: NaN equals NaN and +0 differs from -0, exactly what is wanted.
            double bf16 = switch (bf16Exp) {
                case 0 -> sign * bf16Mant * Math.pow(2, -133);
                case 0xFF -> bf16Mant == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
                default -> sign * (128 + bf16Mant) * Math.pow(2, bf16Exp - 134);
            };
            int f16Exp = (bits >>> 10) & 0x1F;
            int f16Mant = bits & 0x3FF;
            double f16 = switch (f16Exp) {
                case 0 -> sign * f16Mant * Math.pow(2, -24);
                case 0x1F -> f16Mant == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
                default -> sign * (1024 + f16Mant) * Math.pow(2, f16Exp - 25);
            };
            String where = "bits 0x" + Integer.toHexString(bits);
            assertThat(Double.valueOf(DType.BF16.toFloat(bits))).as(where).isEqualTo(Double.valueOf(bf16));
            assertThat(Double.valueOf(DType.F16.toFloat(bits))).as(where).isEqualTo(Double.valueOf(f16));
        }
    }

    @Test
    void toFloatIgnoresBitsAboveTheElementWidth() {
        assertBits(DType.BF16.toFloat(0xABCD_3F80), 1.0f);
        assertBits(DType.F16.toFloat(0xFFFF_3C00), 1.0f);
        assertBits(DType.F32.toFloat(Float.floatToRawIntBits(-7.25f)), -7.25f);
    }

    @Test
    void bf16RoundingIsNearestEven() {
        float ulp = Math.scalb(1f, -7); // bf16 ulp at 1.0
        assertThat(DType.bf16FromFloat(1f + ulp / 2)).isEqualTo((short) 0x3F80); // tie -> even (down)
        assertThat(DType.bf16FromFloat(1f + 3 * ulp / 2)).isEqualTo((short) 0x3F82); // tie -> even (up)
        assertThat(DType.bf16FromFloat(1f + ulp / 2 + Math.scalb(1f, -20))).isEqualTo((short) 0x3F81);
        assertThat(DType.bf16FromFloat(Float.MAX_VALUE)).isEqualTo((short) 0x7F80); // overflows to inf
        assertThat(DType.bf16FromFloat(-0.0f)).isEqualTo((short) 0x8000);
        assertThat(DType.bf16ToFloat(DType.bf16FromFloat(Float.NaN))).isNaN();
        // A NaN whose payload sits only in the low 16 bits must not become infinity.
        assertThat(DType.bf16ToFloat(DType.bf16FromFloat(Float.intBitsToFloat(0x7F800001)))).isNaN();
    }

    @Test
    void everyHalfPatternRoundTrips() {
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            short s = (short) bits;
            float bf16 = DType.bf16ToFloat(s);
            float f16 = DType.f16ToFloat(s);
            if (!Float.isNaN(bf16)) {
                assertThat(DType.bf16FromFloat(bf16)).as("bf16 0x%04x", bits).isEqualTo(s);
            }
            if (!Float.isNaN(f16)) {
                assertThat(DType.f16FromFloat(f16)).as("f16 0x%04x", bits).isEqualTo(s);
            }
        }
    }

    private static void assertBits(float actual, float expected) {
        assertThat(Float.floatToRawIntBits(actual))
                .as("expected %s (0x%08x) but was %s", expected, Float.floatToRawIntBits(expected), actual)
                .isEqualTo(Float.floatToRawIntBits(expected));
    }
}
