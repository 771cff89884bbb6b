package dev.vstream.model.loader;

import static dev.vstream.model.loader.SafetensorsWriter.file;
import static dev.vstream.model.loader.SafetensorsWriter.rawFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Hand-written hostile headers: each must be a ModelLoadException naming file and culprit. */
class SafetensorsHeaderTest {

    private static final String FILE = "nasty.safetensors";

    private static SafetensorsHeader parse(byte[] bytes) {
        return SafetensorsHeader.parse(FILE, MemorySegment.ofArray(bytes));
    }

    private static void assertRejected(byte[] bytes, String... fragments) {
        assertThatThrownBy(() -> parse(bytes))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(FILE + ": ")
                .hasMessageContainingAll(fragments);
    }

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    @Test
    void acceptsEmptyHeaderTrailingSpacesHolesAndZeroSizedTensorsAtOneOffset() {
        assertThat(parse(file("{}", new byte[0])).tensors()).isEmpty();
        assertThat(parse(file("{}        ", new byte[0])).tensors()).isEmpty();
        String header = "{" + entry("a", "F32", "[1]", "[4,8]") + "," + entry("e1", "F32", "[0]", "[4,4]")
                + "," + entry("e2", "BF16", "[0,7]", "[4,4]") + "}";
        SafetensorsHeader parsed = parse(file(header, new byte[16]));
        assertThat(parsed.tensors()).containsOnlyKeys("a", "e1", "e2");
        assertThat(parsed.dataStart()).isEqualTo(8 + header.length());
    }

    @Test
    void headerLengthMustFitTheFileAndTheCap() {
        assertRejected(new byte[0], "0 bytes", "too short");
        assertRejected(new byte[7], "7 bytes", "too short");
        assertRejected(rawFile(100, "{}".getBytes(StandardCharsets.US_ASCII)), "header length 100 exceeds the 2 bytes");
        assertRejected(rawFile(Long.MIN_VALUE, new byte[8]), "header length 9223372036854775808 exceeds the limit");
        assertRejected(rawFile(-1, new byte[8]), "header length 18446744073709551615 exceeds the limit");
        assertRejected(rawFile(Long.MAX_VALUE, new byte[8]), "exceeds the limit");
        assertRejected(rawFile(SafetensorsHeader.MAX_HEADER_BYTES + 1, new byte[8]), "exceeds the limit of 100000000");
        assertRejected(rawFile(0, new byte[0]), "header length 0 is too short");
        assertRejected(rawFile(1, "{".getBytes(StandardCharsets.US_ASCII)), "header length 1 is too short");
    }

    @Test
    void headerMustBeOneJsonObjectStartingWithABrace() {
        assertRejected(file(" {}", new byte[0]), "must begin with '{'", "0x20");
        assertRejected(file("[]", new byte[0]), "must begin with '{'");
        assertRejected(file("{}x", new byte[0]), "unexpected 'x' after the end");
        assertRejected(file("{} {}", new byte[0]), "after the end");
        assertRejected(file("{}\0\0\0", new byte[0]), "U+0000", "after the end");
        assertRejected(file("{\"a\":", new byte[0]), "tensor 'a'", "found end of input");
        assertRejected(file("{\"a\" {}}", new byte[0]), "expected ':'");
        assertRejected(file("{\"__metadata__\":{},}", new byte[0]), "trailing comma");
        assertRejected(file("{,}", new byte[0]), "expected a string");
        assertRejected(file("{\"__metadata__\":5}", new byte[0]), "__metadata__", "expected an object");
        assertRejected(file("{\"a\":[]}", new byte[0]), "tensor 'a'", "expected an object");
    }

    @Test
    void rejectsNonUtf8AndBadStrings() {
        byte[][] badSequences = {
            {(byte) 0xC3, 0x28}, // invalid continuation byte
            {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // UTF-8-encoded surrogate
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            {(byte) 0xFF},
            {(byte) 0xE2, (byte) 0x82}, // truncated sequence
        };
        for (byte[] bad : badSequences) {
            byte[] header = new byte[4 + bad.length + 4];
            System.arraycopy("{\"a".getBytes(StandardCharsets.US_ASCII), 0, header, 0, 3);
            System.arraycopy(bad, 0, header, 3, bad.length);
            System.arraycopy("\":1}".getBytes(StandardCharsets.US_ASCII), 0, header, 3 + bad.length, 4);
            assertRejected(rawFileWithHeader(header), "not valid UTF-8 at byte 3");
        }
        assertRejected(file("{\"\\ud800\":{}}", new byte[0]), "unpaired surrogate");
        assertRejected(file("{\"\\udc00\":{}}", new byte[0]), "unpaired surrogate");
        assertRejected(file("{\"\\ud800\\u0041\":{}}", new byte[0]), "unpaired surrogate");
        assertRejected(file("{\"a\\x\":{}}", new byte[0]), "invalid escape");
        assertRejected(file("{\"a\\u12\":{}}", new byte[0]), "four hex digits");
        assertRejected(file("{\"a\nb\":{}}", new byte[0]), "control character");
        assertRejected(file("{\"abc", new byte[0]), "unterminated string");
    }

    @Test
    void rejectsDuplicateKeysAtEveryLevel() {
        String a = entry("a", "F32", "[1]", "[0,4]");
        assertRejected(file("{" + a + "," + a + "}", new byte[4]), "duplicate key 'a'");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'a'", "duplicate key 'dtype'");
        assertRejected(file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", new byte[0]), "__metadata__", "duplicate key 'k'");
        assertRejected(file("{\"__metadata__\":{},\"__metadata__\":{}}", new byte[0]), "duplicate key '__metadata__'");
    }

    @Test
    void rejectsDeepNestingWithoutExhaustingTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertRejected(file("{\"a\":{\"shape\":" + deep + "}}", new byte[0]), "tensor 'a'", "expected a number but found '['");
        assertRejected(file("{\"__metadata__\":{\"k\":" + deep + "}}", new byte[0]), "__metadata__");
        assertRejected(file("{\"__metadata__\":{\"k\":{\"x\":\"y\"}}}", new byte[0]), "value of 'k' must be a string");
    }

    @Test
    void rejectsBadOffsets() {
        assertRejected(file("{" + entry("w", "F32", "[1]", "[-4,0]") + "}", new byte[4]), "tensor 'w'", "negative value -4");
        assertRejected(file("{" + entry("w", "F32", "[1]", "[8,4]") + "}", new byte[8]), "tensor 'w'", "end before they begin");
        assertRejected(file("{" + entry("w", "F32", "[1]", "[4,8]") + "}", new byte[6]), "tensor 'w'", "past the end of the data section (6 bytes)");
        assertRejected(file("{" + entry("w", "F32", "[1]", "[0,4,8]") + "}", new byte[8]), "tensor 'w'", "more than 2 entries");
        assertRejected(file("{" + entry("w", "F32", "[1]", "[4]") + "}", new byte[8]), "tensor 'w'", "must hold 2 numbers");
        assertRejected(file("{" + entry("w", "F32", "[1]", "[0,1e1]") + "}", new byte[16]), "tensor 'w'", "expected an integer but found 1e1");
        assertRejected(file("{" + entry("w", "F32", "[1]", "[0,18446744073709551616]") + "}", new byte[8]), "out of range");
        assertRejected(file("{" + entry("w", "F32", "[2]", "[0,4]") + "}", new byte[8]), "tensor 'w'", "span 4 bytes but shape [2] of F32 needs 8");
    }

    @Test
    void rejectsOverlappingTensors() {
        assertRejected(file("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[2]", "[4,12]") + "}", new byte[12]),
                "tensor 'b' (bytes 4..12) overlaps tensor 'a' (bytes 0..8)");
        // Containment: b lies inside a, which started earlier and ends later.
        assertRejected(file("{" + entry("a", "F32", "[4]", "[0,16]") + "," + entry("b", "F32", "[1]", "[4,8]") + "}", new byte[16]),
                "overlaps");
        assertRejected(file("{" + entry("x", "U8", "[4]", "[0,4]") + "," + entry("y", "U8", "[4]", "[0,4]") + "}", new byte[4]),
                "overlaps");
    }

    @Test
    void rejectsBadShapes() {
        assertRejected(file("{" + entry("s", "F32", "[-1]", "[0,0]") + "}", new byte[0]), "tensor 's'", "negative value -1");
        assertRejected(file("{" + entry("s", "F32", "[4294967296,4294967296,4]", "[0,0]") + "}", new byte[0]), "tensor 's'", "overflows");
        assertRejected(file("{" + entry("s", "F32", "[4611686018427387904]", "[0,0]") + "}", new byte[0]), "tensor 's'", "overflows");
        assertRejected(file("{" + entry("s", "F32", "[1.5]", "[0,4]") + "}", new byte[4]), "expected an integer but found 1.5");
        assertRejected(file("{" + entry("s", "F32", "[99999999999999999999]", "[0,4]") + "}", new byte[4]), "out of range");
        assertRejected(file("{" + entry("s", "F32", "5", "[0,4]") + "}", new byte[4]), "tensor 's'", "expected an array");
        assertRejected(file("{" + entry("s", "F32", "[01]", "[0,4]") + "}", new byte[4]), "expected ',' or ']'");
        assertRejected(file("{" + entry("s", "F32", "[" + "1,".repeat(16) + "1]", "[0,4]") + "}", new byte[4]), "shape has more than 16 entries");
        assertRejected(file("{" + entry("s", "F32", "[1,]", "[0,4]") + "}", new byte[4]), "trailing comma");
    }

    @Test
    void rejectsUnknownDtypesAndFields() {
        assertRejected(file("{" + entry("d", "F128", "[1]", "[0,16]") + "}", new byte[16]), "tensor 'd'", "unknown dtype 'F128'");
        assertRejected(file("{" + entry("d", "f32", "[1]", "[0,4]") + "}", new byte[4]), "unknown dtype 'f32'");
        assertRejected(file("{\"d\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "tensor 'd'", "expected a string");
        assertRejected(file("{\"d\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]), "tensor 'd'", "missing field 'data_offsets'");
        assertRejected(file("{\"d\":{}}", new byte[4]), "missing field 'dtype'");
        assertRejected(file("{\"d\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"offsets\":1}}", new byte[4]),
                "tensor 'd'", "unknown field 'offsets'");
    }

    @Test
    void hostileNamesAreQuotedSafelyInMessages() {
        String longName = "n".repeat(5000);
        assertThatThrownBy(() -> parse(file("{" + entry(longName, "F32", "[2]", "[0,4]") + "}", new byte[4])))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("...(5000 chars)")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(600));
        assertRejected(file("{" + entry("a\\nFAKE LOG LINE", "F32", "[2]", "[0,4]") + "}", new byte[4]), "'a\\u000aFAKE LOG LINE'");
    }

    private static byte[] rawFileWithHeader(byte[] header) {
        return rawFile(header.length, header);
    }
}
