package dev.vstream.context.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.TestSnapshots;
import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.context.prefill.ContextPrefill;
import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.KvCache;
import dev.vstream.model.lm.KvPrecision;
import dev.vstream.model.lm.PrefillOptions;
import dev.vstream.model.prompt.PromptLayout;
import dev.vstream.model.sambay.SambaYModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VSPC v1 wire format of a prefilled context: exact round trips, strict rejection, fuzzing, ETags. */
class PrefilledContextCodecTest {
    static final int VISION = 32;

    @TempDir
    static Path temp;
    static LanguageModelHost.Loaded host;
    static SambaYModel model;
    /** A real prefilled context of the demo model. */
    static PrefilledContext real;

    @BeforeAll
    static void load() {
        host = (LanguageModelHost.Loaded) LanguageModelHost.load(null, temp.resolve("demo"), VISION, 1);
        model = (SambaYModel) host.newModel();
        real = new ContextPrefill(host, model, KvPrecision.F32).prefill(snapshot("cam-a", 3, 6), PrefillOptions.DENSE);
    }

    @AfterAll
    static void close() {
        host.close();
    }

    static MemorySnapshot snapshot(String stream, long version, int tokens) {
        return TestSnapshots.random(stream, version, 1_000 + version, tokens, VISION);
    }

    /** A small record: a state of one tiny KV cache, three positions. */
    static PrefilledContext small() {
        KvCache kv = new KvCache(2);
        kv.append(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 0, 2, 4, 3);
        ContextState state = new ContextState("tiny layout", List.of(kv));
        state.advance(3);
        return new PrefilledContext("cam-s", 7, 123_456, 1_700_000_000_000L, 1, "demo@0123456789abcdef", 3, 2, true,
                0.25, 1.5, state.snapshot());
    }

    static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Rewrites the trailing CRC-32C so that the record passes the checksum and reaches the field checks. */
    static byte[] withCrc(byte[] bytes) {
        byte[] copy = bytes.clone();
        CRC32C crc = new CRC32C();
        crc.update(copy, 0, copy.length - 4);
        le(copy).putInt(copy.length - 4, (int) crc.getValue());
        return copy;
    }

    /** Offsets of the fields after the stream id and model id of {@code bytes}. */
    record Layout(int streamLength, int memoryVersion, int modelLength, int prefixTokens, int memoryTokens, int sparse,
                  int density, int millis, int stateLength) {
        static Layout of(byte[] bytes) {
            ByteBuffer in = le(bytes);
            int streamLength = 6;
            int memoryVersion = 8 + Short.toUnsignedInt(in.getShort(streamLength));
            int modelLength = memoryVersion + 8 * 3 + 4;
            int prefixTokens = modelLength + 2 + Short.toUnsignedInt(in.getShort(modelLength));
            return new Layout(streamLength, memoryVersion, modelLength, prefixTokens, prefixTokens + 4,
                    prefixTokens + 8, prefixTokens + 9, prefixTokens + 17, prefixTokens + 25);
        }
    }

    static void assertMalformed(byte[] bytes, String messagePart) {
        assertThatThrownBy(() -> PrefilledContextCodec.decode(bytes)).isInstanceOf(MalformedContextException.class)
                .hasMessageContaining(messagePart);
    }

    static float[] logitsAfter(ContextState.Snapshot snapshot, int... tokens) {
        ContextState state = snapshot.resume();
        float[] logits = new float[host.vocabSize()];
        for (int token : tokens) {
            model.decodeStep(state, token, logits);
        }
        return logits;
    }

    static float maxDifference(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void aRealPrefilledContextRoundTripsBitExactly() {
        byte[] encoded = PrefilledContextCodec.encode(real);
        assertThat(Arrays.copyOf(encoded, 4)).isEqualTo("VSPC".getBytes(StandardCharsets.US_ASCII));
        assertThat(le(encoded).getShort(4)).isEqualTo((short) PrefilledContextCodec.VERSION);

        PrefilledContext decoded = PrefilledContextCodec.decode(encoded);
        assertThat(decoded.streamId()).isEqualTo("cam-a");
        assertThat(decoded.memoryVersion()).isEqualTo(3);
        assertThat(decoded.newestPtsMicros()).isEqualTo(3_000_000);
        assertThat(decoded.newestWallClockMs()).isEqualTo(1_003);
        assertThat(decoded.promptLayoutVersion()).isEqualTo(PromptLayout.VERSION);
        assertThat(decoded.modelId()).isEqualTo(host.modelId());
        assertThat(decoded.prefixTokens()).isEqualTo(real.prefixTokens()).isGreaterThan(6);
        assertThat(decoded.memoryTokens()).isEqualTo(6);
        assertThat(decoded.sparse()).isEqualTo(real.sparse());
        assertThat(Double.doubleToRawLongBits(decoded.density())).isEqualTo(Double.doubleToRawLongBits(real.density()));
        assertThat(Double.doubleToRawLongBits(decoded.prefillMillis()))
                .isEqualTo(Double.doubleToRawLongBits(real.prefillMillis()));
        assertThat(decoded.state().position()).isEqualTo(real.state().position());
        assertThat(decoded.state().layout()).isEqualTo(real.state().layout());
        assertThat(decoded.sizeInBytes()).isEqualTo(real.sizeInBytes());
        // Canonical: what decodes re-encodes to the same bytes.
        assertThat(PrefilledContextCodec.encode(decoded)).isEqualTo(encoded);

        // The decoded state continues exactly as the original.
        // The decoded state continues as the original: the same next-token logits. (Not bitwise: the SIMD
        // kernels' lane reductions may round differently once the JIT recompiles them.)
        int token = host.encode("Q")[0];
        float[] expected = logitsAfter(real.state(), token);
        float[] actual = logitsAfter(decoded.state(), token);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
        float[] other = logitsAfter(real.state(), host.encode("Z")[0]);
        assertThat(maxDifference(other, expected)).as("another token gives other logits").isGreaterThan(1e-3f);
        assertThat(expected).as("real logits, not all zero").matches(l -> {
            for (float v : l) {
                if (v != 0) {
                    return true;
                }
            }
            return false;
        });
    }

    @Test
    void aSmallRecordRoundTripsWithEveryHeaderField() {
        PrefilledContext small = small();
        byte[] encoded = PrefilledContextCodec.encode(small);
        PrefilledContext decoded = PrefilledContextCodec.decode(encoded);
        assertThat(decoded).usingRecursiveComparison().ignoringFields("state").isEqualTo(small);
        assertThat(decoded.state().position()).isEqualTo(3);
        assertThat(PrefilledContextCodec.encode(decoded)).isEqualTo(encoded);
        Layout at = Layout.of(encoded);
        assertThat(le(encoded).getLong(at.memoryVersion())).isEqualTo(7);
        assertThat(le(encoded).getInt(at.prefixTokens())).isEqualTo(3);
        assertThat(le(encoded).getInt(at.memoryTokens())).isEqualTo(2);
        assertThat(encoded[at.sparse()]).isEqualTo((byte) 1);
        assertThat(le(encoded).getDouble(at.density())).isEqualTo(0.25);
        assertThat(le(encoded).getInt(at.stateLength())).isEqualTo(encoded.length - at.stateLength() - 4 - 4);
    }

    // ---------------------------------------------------------------- rejections

    @Test
    void rejectsAWrongMagicOrVersion() {
        byte[] good = PrefilledContextCodec.encode(small());
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertMalformed(withCrc(magic), "magic");
        byte[] version = good.clone();
        le(version).putShort(4, (short) 2);
        assertMalformed(withCrc(version), "version 2");
        assertMalformed(new byte[0], "too short");
    }

    @Test
    void rejectsAFlippedBitAnywhere() {
        byte[] good = PrefilledContextCodec.encode(small());
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = good.clone();
                flipped[i] ^= (byte) (1 << bit);
                int at = i;
                assertThatThrownBy(() -> PrefilledContextCodec.decode(flipped))
                        .as("bit %d of byte %d", bit, at).isInstanceOf(MalformedContextException.class);
            }
        }
    }

    @Test
    void rejectsEveryTruncationAndTrailingBytes() {
        byte[] good = PrefilledContextCodec.encode(small());
        for (int length = 0; length < good.length; length++) {
            byte[] prefix = Arrays.copyOf(good, length);
            int n = length;
            assertThatThrownBy(() -> PrefilledContextCodec.decode(prefix)).as("prefix of %d bytes", n)
                    .isInstanceOf(MalformedContextException.class);
            if (length >= 10) {
                // Even with a checksum that matches the truncated bytes.
                assertThatThrownBy(() -> PrefilledContextCodec.decode(withCrc(prefix))).as("prefix of %d, crc", n)
                        .isInstanceOf(MalformedContextException.class);
            }
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        assertMalformed(trailing, "checksum");
        // Trailing bytes before a matching checksum: the state length no longer matches what remains.
        byte[] padded = new byte[good.length + 3];
        System.arraycopy(good, 0, padded, 0, good.length - 4);
        assertMalformed(withCrc(padded), "remain");
    }

    @Test
    void rejectsInvalidOrInconsistentFields() {
        byte[] good = PrefilledContextCodec.encode(small());
        Layout at = Layout.of(good);

        byte[] stream = good.clone();
        stream[at.streamLength() + 2] = '/'; // "/am-s"
        assertMalformed(withCrc(stream), "invalid stream id");

        byte[] notUtf8 = good.clone();
        notUtf8[at.streamLength() + 2] = (byte) 0xC3; // a lead byte without its continuation
        assertMalformed(withCrc(notUtf8), "not UTF-8");

        byte[] longStream = good.clone();
        le(longStream).putShort(at.streamLength(), (short) 0xFFFF);
        assertMalformed(withCrc(longStream), "stream id of 65535 bytes");

        byte[] memory = good.clone();
        le(memory).putInt(at.memoryTokens(), 4); // 4 memory tokens in a prefix of 3
        assertMalformed(withCrc(memory), "inconsistent");

        byte[] negative = good.clone();
        le(negative).putInt(at.memoryTokens(), -1);
        assertMalformed(withCrc(negative), "inconsistent");

        byte[] version = good.clone();
        le(version).putLong(at.memoryVersion(), 0);
        assertMalformed(withCrc(version), "inconsistent");

        byte[] prefix = good.clone();
        le(prefix).putInt(at.prefixTokens(), 4); // the state is at position 3
        assertMalformed(withCrc(prefix), "position");

        byte[] sparse = good.clone();
        sparse[at.sparse()] = 2;
        assertMalformed(withCrc(sparse), "sparse flag 2");

        for (double density : new double[] {0, -0.5, Double.POSITIVE_INFINITY, Double.NaN}) {
            byte[] bad = good.clone();
            le(bad).putDouble(at.density(), density);
            assertMalformed(withCrc(bad), "density");
        }

        byte[] stateLength = good.clone();
        le(stateLength).putInt(at.stateLength(), -1);
        assertMalformed(withCrc(stateLength), "state of -1 bytes");

        byte[] state = good.clone();
        state[at.stateLength() + 4] = 'X'; // the VSCS magic
        assertMalformed(withCrc(state), "context state");
    }

    @Test
    void fuzzedRecordsFailOnlyAsMalformed() {
        byte[] smallRecord = PrefilledContextCodec.encode(small());
        byte[] realRecord = PrefilledContextCodec.encode(real);
        SplittableRandom random = new SplittableRandom(20260127L);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 12_000; i++) {
            byte[] base = i % 6 == 5 ? realRecord : smallRecord;
            byte[] mutated = mutate(base, random);
            if (random.nextInt(4) != 0 && mutated.length >= 4) {
                mutated = withCrc(mutated); // most mutations get past the checksum, to reach the parser
            }
            try {
                PrefilledContextCodec.decode(mutated);
                decoded++;
            } catch (MalformedContextException e) {
                rejected++;
            } catch (Throwable t) {
                fail("mutation " + i + " escaped as " + t, t);
            }
        }
        assertThat(decoded + rejected).isEqualTo(12_000);
        assertThat(rejected).isGreaterThan(6_000);
        assertThat(decoded).as("some mutations (times, millis) still decode").isPositive();
    }

    private static byte[] mutate(byte[] base, SplittableRandom random) {
        byte[] bytes = base.clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            int header = Math.min(bytes.length, 160); // the header and the start of the state are the interesting part
            int where = random.nextInt(random.nextBoolean() ? header : bytes.length);
            switch (random.nextInt(7)) {
                case 0 -> bytes[where] ^= (byte) (1 << random.nextInt(8));
                case 1 -> bytes[where] = (byte) random.nextInt(256);
                case 2 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                case 3 -> {
                    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(16));
                    for (int k = bytes.length; k < longer.length; k++) {
                        longer[k] = (byte) random.nextInt(256);
                    }
                    bytes = longer;
                }
                case 4 -> {
                    if (where + 4 <= bytes.length) {
                        int[] extremes = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xFFFF, 65536};
                        le(bytes).putInt(where, extremes[random.nextInt(extremes.length)]);
                    }
                }
                case 5 -> {
                    if (where + 2 <= bytes.length) {
                        le(bytes).putShort(where, (short) random.nextInt(65536));
                    }
                }
                default -> {
                    if (where + 8 <= bytes.length) {
                        long[] extremes = {0, -1, Long.MAX_VALUE, Double.doubleToLongBits(Double.NaN),
                                Double.doubleToLongBits(Double.POSITIVE_INFINITY)};
                        le(bytes).putLong(where, extremes[random.nextInt(extremes.length)]);
                    }
                }
            }
            if (bytes.length == 0) {
                break;
            }
        }
        return bytes;
    }

    // ---------------------------------------------------------------- ETags

    @Test
    void contextTagsRoundTripThroughTheirETag() {
        for (ContextTag tag : List.of(new ContextTag(1, 0), new ContextTag(42, 1_700_000_000_123L),
                new ContextTag(Long.MAX_VALUE, Long.MAX_VALUE))) {
            assertThat(tag.etag()).startsWith("\"v").endsWith("\"");
            assertThat(ContextTag.parse(tag.etag())).contains(tag);
            assertThat(ContextTag.parse("W/" + tag.etag())).contains(tag);
            assertThat(ContextTag.parse("  " + tag.etag() + " ")).contains(tag);
        }
        assertThat(new ContextTag(3, 1_003).etag()).isEqualTo("\"v3-1003\"");
        // Only digits: a sign or a second dash is not one of ours.
        for (String foreign : List.of("\"v+1-2\"", "\"v1--2\"", "\"v1-+2\"", "\"v99999999999999999999-1\"")) {
            assertThat(ContextTag.parse(foreign)).as(foreign).isEmpty();
        }
    }

    @Test
    void foreignETagsAreNotOurs() {
        for (String foreign : List.of("", "*", "\"\"", "\"v\"", "\"v-\"", "\"abc\"", "\"33a64df5\"", "W/\"x1-2\"",
                "v1-2", "\"v1-2", "v1-2\"", "\"v1\"", "\"v1-\"", "\"v-1\"", "\"vx-2\"", "\"v1-2x\"",
                "\"v99999999999999999999-1\"", "\"v1-2\", \"v3-4\"")) {
            assertThat(ContextTag.parse(foreign)).as(foreign).isEqualTo(Optional.empty());
        }
    }
}
