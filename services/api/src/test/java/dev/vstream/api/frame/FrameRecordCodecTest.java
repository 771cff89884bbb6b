package dev.vstream.api.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FrameRecordCodecTest {
    private static byte[] jpeg;

    @BeforeAll
    static void makeJpeg() throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR);
        image.getGraphics().fillOval(10, 10, 20, 20);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        jpeg = out.toByteArray();
    }

    private static FrameRecord frame() {
        return new FrameRecord("cam-1", 7, 1_400_000, 64, 48, FrameEncoding.JPEG, jpeg);
    }

    @Test
    void roundTripsEveryField() throws MalformedRecordException {
        FrameRecord frame = frame();
        byte[] bytes = FrameRecordCodec.encode(frame);
        assertThat(Arrays.copyOf(bytes, 4)).isEqualTo(new byte[] {'V', 'S', 'F', 'R'});
        assertThat(bytes).hasSize(FrameRecordCodec.FIXED_HEADER_BYTES + "cam-1".length() + jpeg.length);
        assertThat(FrameRecordCodec.decode("cam-1", bytes)).isEqualTo(frame);
    }

    @Test
    void layoutIsTheDocumentedOne() {
        ByteBuffer b = ByteBuffer.wrap(FrameRecordCodec.encode(frame()));
        b.position(4);
        assertThat(b.get()).isEqualTo((byte) 1);
        assertThat(b.get()).isEqualTo((byte) 1);
        assertThat(b.getShort()).isEqualTo((short) 5);
        b.position(b.position() + 5);
        assertThat(b.getLong()).isEqualTo(7);
        assertThat(b.getLong()).isEqualTo(1_400_000);
        assertThat(b.getInt()).isEqualTo(64);
        assertThat(b.getInt()).isEqualTo(48);
        assertThat(b.getInt()).isEqualTo(jpeg.length);
        assertThat(b.remaining()).isEqualTo(jpeg.length);
    }

    @Test
    void rejectsEachBrokenRuleWithItsReason() {
        byte[] good = FrameRecordCodec.encode(frame());
        assertReason("cam-2", good, "differs from stream id");
        assertReason(null, good, "differs from stream id");
        assertReason("cam-1", null, "no value");
        assertReason("cam-1", "hello".getBytes(), "shorter than the frame header");
        assertReason("cam-1", with(good, 0, (byte) 'X'), "bad magic");
        assertReason("cam-1", with(good, 4, (byte) 9), "unsupported schema version 9");
        assertReason("cam-1", with(good, 5, (byte) 7), "unknown encoding code 7");
        assertReason("cam-1", Arrays.copyOf(good, good.length - 10), "payload length");
        assertReason("cam-1", Arrays.copyOf(good, good.length + 3), "payload length");
        // declared width 65 against a 64-pixel JPEG
        assertReason("cam-1", withInt(good, 8 + 5 + 16, 65), "declared size 65x48 but the JPEG is 64x48");
        // negative sequence
        assertReason("cam-1", withLong(good, 8 + 5, -1), "sequence must be >= 0");
        // a JPEG cut short keeps its header but loses the end-of-image marker
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2);
        byte[] truncated = ByteBuffer.allocate(FrameRecordCodec.FIXED_HEADER_BYTES + 5 + cut.length)
                .put(FrameRecordCodec.MAGIC).put((byte) 1).put((byte) 1).putShort((short) 5).put("cam-1".getBytes())
                .putLong(0).putLong(0).putInt(64).putInt(48).putInt(cut.length).put(cut).array();
        assertReason("cam-1", truncated, "truncated");
    }

    @Test
    void rejectsPayloadsThatAreNotJpeg() {
        assertThatThrownBy(() -> JpegHeader.parse(new byte[] {1, 2, 3, 4, 5})).hasMessageContaining("not a JPEG");
        assertThatThrownBy(() -> JpegHeader.parse(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9}))
                .hasMessageContaining("no frame header");
    }

    @Test
    void recordValidatesItsFields() {
        assertThatThrownBy(() -> new FrameRecord("bad id!", 0, 0, 1, 1, FrameEncoding.JPEG, jpeg)).hasMessageContaining("stream id");
        assertThatThrownBy(() -> new FrameRecord("a", 0, 0, 0, 1, FrameEncoding.JPEG, jpeg)).hasMessageContaining("frame size");
        assertThatThrownBy(() -> new FrameRecord("a", 0, 0, 1, 1, FrameEncoding.JPEG, new byte[0])).hasMessageContaining("empty");
        assertThatThrownBy(() -> new FrameRecord("a", 0, -5, 1, 1, FrameEncoding.JPEG, jpeg)).hasMessageContaining("ptsMicros");
    }

    /** Random corruption of a valid record never escapes as anything but a reasoned MalformedRecordException. */
    @Test
    void fuzzedRecordsFailCleanly() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        byte[] good = FrameRecordCodec.encode(frame());
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = mutate(good, random);
            try {
                FrameRecord decoded = FrameRecordCodec.decode("cam-1", bytes);
                accepted++;
                assertThat(FrameRecordCodec.encode(decoded)).as("seed %d: accepted records re-encode identically", seed).isEqualTo(bytes);
            } catch (MalformedRecordException e) {
                assertThat(e.getMessage()).as("seed %d", seed).isNotBlank();
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " case " + i + ": " + e, e);
            }
        }
        assertThat(accepted).as("seed %d: some mutations only touch the JPEG body and stay valid", seed).isPositive();
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
                int at = random.nextInt(60);
                bytes[at] = (byte) random.nextInt(256);
            }
            default -> {
                bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
            }
        }
        return bytes;
    }

    private static void assertReason(String key, byte[] value, String reason) {
        assertThatThrownBy(() -> FrameRecordCodec.decode(key, value))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining(reason);
    }

    private static byte[] with(byte[] b, int at, byte value) {
        byte[] copy = b.clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] withInt(byte[] b, int at, int value) {
        byte[] copy = b.clone();
        ByteBuffer.wrap(copy).putInt(at, value);
        return copy;
    }

    private static byte[] withLong(byte[] b, int at, long value) {
        byte[] copy = b.clone();
        ByteBuffer.wrap(copy).putLong(at, value);
        return copy;
    }
}
