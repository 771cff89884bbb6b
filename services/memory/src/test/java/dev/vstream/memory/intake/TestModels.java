package dev.vstream.memory.intake;

import dev.vstream.api.frame.FrameEncoding;
import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.frame.FrameRecordCodec;
import dev.vstream.api.memory.TokenType;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.memory.encoder.MemoryModel;
import dev.vstream.memory.encoder.StarSizes;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The tiny CLIP test checkpoint (56 px, patch 14: 4x4x64 features) with STAR sizes that fit it, and frames whose
 * pictures differ from one sequence number to the next.
 */
public final class TestModels {
    /** P_spa 4, P_tem 2, P_abs 1, N_spa 1, N_tem 3, N_abs 2, N_ret 1, N_buff 5, alpha 0.2, d 8: 2 + 12 + 32 = 46 tokens. */
    public static final StarSizes TINY_STAR = new StarSizes(4, 2, 1, 1, 3, 2, 1, 5, 0.2, 1, 8, 10, 0L);

    private TestModels() {
    }

    public static Path clipTiny() {
        try {
            return Path.of(TestModels.class.getResource("/vision/clip_tiny/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static MemoryModel.Loaded tinyModel(TokenType tokenType) {
        MemoryModel model = MemoryModel.load(clipTiny(), TINY_STAR, tokenType, CpuKernels.Choice.AUTO, 1,
                FrameIntakeTopology.MAX_MEMORY_STATE_BYTES);
        if (!(model instanceof MemoryModel.Loaded loaded)) {
            throw new IllegalStateException("tiny CLIP did not load: " + ((MemoryModel.Unavailable) model).reason());
        }
        return loaded;
    }

    /** A picture that depends on {@code sequence}: moving disc, changing colours. */
    public static byte[] jpeg(int width, int height, long sequence) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color((int) (sequence * 37 % 256), (int) (sequence * 91 % 256), 128));
        g.fillRect(0, 0, width, height);
        g.setColor(sequence % 3 == 0 ? Color.WHITE : sequence % 3 == 1 ? Color.BLACK : Color.RED);
        int d = width / 3;
        g.fillOval((int) (sequence * 7 % (width - d)), (int) (sequence * 11 % (height - d)), d, d);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The wire bytes of a 64x64 frame with a picture of its own, pts = sequence seconds. */
    public static byte[] frame(String streamId, long sequence) {
        return FrameRecordCodec.encode(new FrameRecord(streamId, sequence, sequence * 1_000_000L, 64, 64,
                FrameEncoding.JPEG, jpeg(64, 64, sequence)));
    }

    public static FrameRecord record(String streamId, long sequence) {
        return new FrameRecord(streamId, sequence, sequence * 1_000_000L, 64, 64, FrameEncoding.JPEG,
                jpeg(64, 64, sequence));
    }
}
