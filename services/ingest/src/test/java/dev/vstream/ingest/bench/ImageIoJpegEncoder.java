package dev.vstream.ingest.bench;

import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCoefficients;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.ffmpeg.global.swscale.sws_setColorspaceDetails;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The alternative the service did not pick, kept for the benchmark's comparison: swscale to packed BGR,
 * copy into a BufferedImage, ImageIO's JPEG writer. Scales the whole picture to the target (no
 * letterbox bars), which only makes it cheaper than the real path.
 */
final class ImageIoJpegEncoder implements AutoCloseable {
    private final int width;
    private final int height;
    private final BufferedImage image;
    private final byte[] pixels;
    private final BytePointer bgr;
    private final PointerPointer<BytePointer> planes;
    private final IntPointer strides;
    private final ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    private final ImageWriteParam param = writer.getDefaultWriteParam();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    private SwsContext context;

    ImageIoJpegEncoder(int width, int height, int quality) {
        this.width = width;
        this.height = height;
        this.image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        this.pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        this.bgr = new BytePointer((long) width * height * 3);
        this.planes = new PointerPointer<BytePointer>(4).put(0, bgr);
        this.strides = new IntPointer(4).put(0, width * 3);
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality / 100f);
    }

    byte[] encode(AVFrame picture) {
        SwsContext next = sws_getCachedContext(context, picture.width(), picture.height(), picture.format(), width, height,
                AV_PIX_FMT_BGR24, SWS_BILINEAR, null, null, (DoublePointer) null);
        if (context == null || next.address() != context.address()) {
            sws_setColorspaceDetails(next, sws_getCoefficients(picture.colorspace()), picture.color_range() == AVCOL_RANGE_JPEG ? 1 : 0,
                    sws_getCoefficients(picture.colorspace()), 1, 0, 1 << 16, 1 << 16);
        }
        context = next;
        sws_scale(context, picture.data(), picture.linesize(), 0, picture.height(), planes, strides);
        bgr.position(0).get(pixels);
        out.reset();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        writer.dispose();
        if (context != null) {
            sws_freeContext(context);
        }
        bgr.close();
        planes.close();
        strides.close();
    }
}
