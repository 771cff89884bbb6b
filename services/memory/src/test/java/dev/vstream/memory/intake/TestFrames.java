package dev.vstream.memory.intake;

import dev.vstream.api.frame.FrameEncoding;
import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.frame.FrameRecordCodec;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** Frame records for tests, with real JPEGs written by javax.imageio. */
public final class TestFrames {
    private TestFrames() {
    }

    public static byte[] jpeg(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, width / 2, height);
        g.setColor(Color.BLUE);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "jpg", out)) {
                throw new IllegalStateException("no JPEG writer in this JDK");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The wire bytes of a valid 64x48 frame. */
    public static byte[] frame(String streamId, long sequence) {
        return frame(streamId, sequence, 64, 48, jpeg(64, 48));
    }

    /** The wire bytes of a frame declaring {@code width x height} around {@code payload}, which is not checked. */
    public static byte[] frame(String streamId, long sequence, int width, int height, byte[] payload) {
        return FrameRecordCodec.encode(new FrameRecord(streamId, sequence, sequence * 1_000_000L, width, height,
                FrameEncoding.JPEG, payload));
    }

    /** A complete JPEG cut short: the end-of-image marker and the last bytes of the scan are gone. */
    public static byte[] truncatedJpeg(int width, int height) {
        byte[] whole = jpeg(width, height);
        return Arrays.copyOf(whole, whole.length - 10);
    }
}
