package dev.vstream.memory.encoder;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** Decodes a frame's JPEG with javax.imageio and checks it against what the frame declared and the encoder takes. */
public final class FrameImages {
    private FrameImages() {
    }

    /** The decoded picture, or why there is none; the reason is what the dead-letter topic shows. */
    public sealed interface Decoded {
        record Image(BufferedImage image) implements Decoded {
        }

        /** @param wrongSize the image decoded but does not have the size it should */
        record Refused(boolean wrongSize, String reason) implements Decoded {
        }
    }

    /**
     * @param minSize the encoder's square input: smaller frames would have to be upscaled, inventing detail, and
     *                are refused (register the stream with at least this size)
     */
    public static Decoded decode(byte[] jpeg, int declaredWidth, int declaredHeight, int minSize) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(jpeg));
        } catch (IOException | RuntimeException e) {
            // ImageIO's JPEG reader reports corrupt data as IIOException, and some broken headers as runtime errors
            return new Decoded.Refused(false, "JPEG does not decode: " + e.getMessage());
        }
        if (image == null) {
            return new Decoded.Refused(false, "payload is not an image javax.imageio can read");
        }
        if (image.getWidth() != declaredWidth || image.getHeight() != declaredHeight) {
            return new Decoded.Refused(false, "decoded image is " + image.getWidth() + "x" + image.getHeight()
                    + " but the frame declares " + declaredWidth + "x" + declaredHeight);
        }
        if (image.getWidth() < minSize || image.getHeight() < minSize) {
            return new Decoded.Refused(true, "frame " + image.getWidth() + "x" + image.getHeight()
                    + " is smaller than the encoder's " + minSize + "x" + minSize + " input");
        }
        return new Decoded.Image(image);
    }
}
