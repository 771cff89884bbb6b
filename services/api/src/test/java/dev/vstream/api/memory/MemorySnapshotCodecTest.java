package dev.vstream.api.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.api.frame.MalformedRecordException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class MemorySnapshotCodecTest {
    private static final String HASH = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private static MemorySnapshot snapshot(TokenType type) {
        SlotKind[] kinds = {SlotKind.STAR_ABSTRACT, SlotKind.STAR_TEMPORAL, SlotKind.STAR_TEMPORAL, SlotKind.STAR_SPATIAL};
        int[] slots = {0, 0, 0, 0};
        long[] times = {500_000, 750_000, 750_000, 2_000_000};
        float[] values = new float[4 * 3];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i + 0.25) * 3;
        }
        return new MemorySnapshot("cam-1", 3, 2_000_000, 1_764_000_000_000L, "clip_tiny", HASH, false, type, 3,
                kinds, slots, times, values);
    }

    @Test
    void roundTripsEveryFieldInBothTypes() throws MalformedRecordException {
        for (TokenType type : TokenType.values()) {
            MemorySnapshot snapshot = snapshot(type);
            byte[] bytes = MemorySnapshotCodec.encode(snapshot);
            assertThat(Arrays.copyOf(bytes, 4)).isEqualTo(new byte[] {'V', 'S', 'M', 'S'});
            assertThat(bytes).hasSize(MemorySnapshotCodec.FIXED_BYTES + 5 + 9 + 4 * 13 + 12 * type.bytes());
            MemorySnapshot decoded = MemorySnapshotCodec.decode("cam-1", bytes);
            assertThat(decoded).isEqualTo(snapshot);
            assertThat(MemorySnapshotCodec.encode(decoded)).isEqualTo(bytes);
        }
    }

    @Test
    void f16ValuesAreTheRoundedOnesF32Exact() {
        MemorySnapshot f32 = snapshot(TokenType.F32);
        MemorySnapshot f16 = snapshot(TokenType.F16);
        assertThat(f32.values()[1]).isEqualTo((float) Math.sin(1.25) * 3);
        assertThat(f16.values()[1]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16((float) Math.sin(1.25) * 3)));
        assertThat(f16.values()[1]).isNotEqualTo(f32.values()[1]);
    }

    @Test
    void layoutIsTheDocumentedOne() {
        byte[] bytes = MemorySnapshotCodec.encode(snapshot(TokenType.F16));
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.position(4);
        assertThat(b.get()).isEqualTo((byte) 1);
        assertThat(b.get()).isEqualTo((byte) 2);
        assertThat(b.get()).isEqualTo((byte) 0);
        assertThat(b.get()).isEqualTo((byte) 0);
        assertThat(b.getShort()).isEqualTo((short) 5);
        b.position(b.position() + 5);
        assertThat(b.getLong()).isEqualTo(3);
        assertThat(b.getLong()).isEqualTo(2_000_000);
        assertThat(b.getLong()).isEqualTo(1_764_000_000_000L);
        assertThat(b.get()).isEqualTo((byte) 9);
        b.position(b.position() + 9);
        assertThat(b.get()).isEqualTo((byte) 0x00);
        assertThat(b.get()).isEqualTo((byte) 0x11);
        b.position(b.position() + 30);
        assertThat(b.getInt()).isEqualTo(4);
        assertThat(b.getInt()).isEqualTo(3);
        assertThat(b.get()).isEqualTo(SlotKind.STAR_ABSTRACT.code());
        assertThat(b.getInt()).isEqualTo(0);
        assertThat(b.getLong()).isEqualTo(500_000);
        b.position(b.position() + 3 * 13);
        assertThat(b.getShort()).isEqualTo(Float.floatToFloat16((float) Math.sin(0.25) * 3));
        b.position(bytes.length - 4);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        assertThat(b.getInt()).isEqualTo((int) crc.getValue());
    }

    @Test
    void rejectsEachBrokenRuleWithItsReason() {
        byte[] good = MemorySnapshotCodec.encode(snapshot(TokenType.F32));
        assertReason("cam-2", good, "differs from stream id");
        assertReason("cam-1", null, "no value");
        assertReason("cam-1", "hello".getBytes(), "shorter than the snapshot header");
        assertReason("cam-1", with(good, 0, (byte) 'X'), "bad magic");
        assertReason("cam-1", with(good, 4, (byte) 2), "unsupported schema version 2");
        assertReason("cam-1", with(good, 20, (byte) 0x7f), "checksum mismatch");
        assertReason("cam-1", resealed(with(good, 5, (byte) 9)), "unknown token type code 9");
        assertReason("cam-1", resealed(with(good, 6, (byte) 4)), "unknown flags");
        assertReason("cam-1", resealed(with(good, 7, (byte) 1)), "reserved byte");
        // version 0 (offset 10 + 5)
        assertReason("cam-1", resealed(withLong(good, 15, 0)), "version must be >= 1");
        // an unknown slot kind in the first token header
        int firstToken = MemorySnapshotCodec.FIXED_BYTES - 4 + 5 + 9;
        assertReason("cam-1", resealed(with(good, firstToken, (byte) 99)), "unknown slot kind code 99");
        // one value less, checksum recomputed
        byte[] shorter = Arrays.copyOf(good, good.length - 4);
        assertReason("cam-1", resealed(shorter), "need");
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        assertReason("cam-1", resealed(longer), "need");
    }

    @Test
    void recordValidatesItsFields() {
        MemorySnapshot s = snapshot(TokenType.F32);
        assertThatThrownBy(() -> new MemorySnapshot("bad id!", 1, 0, 0, "x", HASH, false, TokenType.F32, 1,
                new SlotKind[0], new int[0], new long[0], new float[0])).hasMessageContaining("stream id");
        assertThatThrownBy(() -> new MemorySnapshot("a", 1, 0, 0, "x", "abc", false, TokenType.F32, 1,
                new SlotKind[0], new int[0], new long[0], new float[0])).hasMessageContaining("hash");
        assertThatThrownBy(() -> new MemorySnapshot("a", 1, 0, 0, "x", HASH, false, TokenType.F32, 2,
                s.kinds(), s.slots(), s.timestampsMicros(), s.values())).hasMessageContaining("tokens x channels");
        float[] values = s.values();
        values[0] = 99;
        assertThat(s.values()[0]).as("arrays are copied out").isNotEqualTo(99);
    }

    /** Random corruption never escapes as anything but a reasoned MalformedRecordException. */
    @Test
    void fuzzedSnapshotsFailCleanly() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int accepted = 0;
        for (TokenType type : TokenType.values()) {
            byte[] good = MemorySnapshotCodec.encode(snapshot(type));
            for (int i = 0; i < 20_000; i++) {
                byte[] bytes = mutate(good, random);
                if (random.nextBoolean() && bytes.length >= 8) {
                    bytes = resealed(bytes); // past the checksum: exercise the field checks
                }
                try {
                    MemorySnapshot decoded = MemorySnapshotCodec.decode(bytes);
                    accepted++;
                    assertThat(MemorySnapshotCodec.encode(decoded)).as("seed %d: accepted snapshots re-encode identically",
                            seed).isEqualTo(bytes);
                } catch (MalformedRecordException e) {
                    assertThat(e.getMessage()).as("seed %d", seed).isNotBlank();
                } catch (RuntimeException e) {
                    throw new AssertionError("seed " + seed + " case " + i + ": " + e, e);
                }
            }
        }
        assertThat(accepted).as("seed %d: mutations of values and times stay valid once resealed", seed).isPositive();
    }

    private static byte[] mutate(byte[] good, Random random) {
        byte[] bytes;
        switch (random.nextInt(4)) {
            case 0 -> {
                bytes = good.clone();
                for (int k = 1 + random.nextInt(4); k > 0; k--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> bytes = Arrays.copyOf(good, random.nextInt(good.length + 1));
            case 2 -> {
                bytes = good.clone();
                bytes[random.nextInt(Math.min(bytes.length, 80))] = (byte) random.nextInt(256);
            }
            default -> {
                bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
            }
        }
        return bytes;
    }

    /** The bytes with their last four replaced by the CRC-32C of the rest. */
    private static byte[] resealed(byte[] bytes) {
        byte[] copy = bytes.clone();
        CRC32C crc = new CRC32C();
        crc.update(copy, 0, copy.length - 4);
        ByteBuffer.wrap(copy).putInt(copy.length - 4, (int) crc.getValue());
        return copy;
    }

    private static void assertReason(String key, byte[] value, String reason) {
        assertThatThrownBy(() -> MemorySnapshotCodec.decode(key, value))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining(reason);
    }

    private static byte[] with(byte[] b, int at, byte value) {
        byte[] copy = b.clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] withLong(byte[] b, int at, long value) {
        byte[] copy = b.clone();
        ByteBuffer.wrap(copy).putLong(at, value);
        return copy;
    }
}
