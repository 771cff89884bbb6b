package dev.vstream.ingest.picture;

import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_ITU601;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCoefficients;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.ffmpeg.global.swscale.sws_setColorspaceDetails;

import dev.vstream.ingest.ffmpeg.FfmpegException;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * swscale from a decoded picture into a rectangle of a full-range YUV 4:2:0 canvas. The destination
 * plane pointers are offset to the rectangle, so letterboxing costs no extra copy.
 */
final class PictureScaler implements AutoCloseable {
    private static final int PLANES = 3;
    private SwsContext context;
    private int configuredColorspace = Integer.MIN_VALUE;
    private int configuredRange = Integer.MIN_VALUE;
    private final PointerPointer<BytePointer> destination = new PointerPointer<>(4);

    /** Scales all of {@code source} (already cropped) into {@code canvas} at the geometry's offset and size. */
    void scale(AVFrame source, AVFrame canvas, ResizeGeometry geometry) throws FfmpegException {
        SwsContext next = sws_getCachedContext(context, source.width(), source.height(), source.format(),
                geometry.scaledWidth(), geometry.scaledHeight(), canvas.format(), SWS_BILINEAR, null, null, (DoublePointer) null);
        if (next == null) {
            throw new FfmpegException("sws_getCachedContext cannot convert pixel format " + source.format() + " "
                    + source.width() + "x" + source.height() + " to " + geometry.scaledWidth() + "x" + geometry.scaledHeight());
        }
        if (context == null || next.address() != context.address()) {
            configuredColorspace = Integer.MIN_VALUE; // a new context starts with default colour details
        }
        context = next;
        configureColours(source.colorspace(), source.color_range());
        for (int plane = 0; plane < PLANES; plane++) {
            int shift = plane == 0 ? 0 : 1; // 4:2:0 chroma planes are half size both ways
            long offset = (long) (geometry.offsetY() >> shift) * canvas.linesize(plane) + (geometry.offsetX() >> shift);
            destination.put(plane, canvas.data(plane).position(offset)); // JavaCPP passes address + position
        }
        destination.put(PLANES, (BytePointer) null);
        int rows = sws_scale(context, source.data(), source.linesize(), 0, source.height(), destination, canvas.linesize());
        if (rows <= 0) {
            throw new FfmpegException("sws_scale", rows == 0 ? -1 : rows);
        }
    }

    /** Black in full-range YCbCr: Y = 0, Cb = Cr = 128. */
    void fillBlack(AVFrame canvas) {
        for (int plane = 0; plane < PLANES; plane++) {
            int rows = plane == 0 ? canvas.height() : (canvas.height() + 1) / 2;
            long bytes = (long) rows * canvas.linesize(plane);
            canvas.data(plane).capacity(bytes).fill(plane == 0 ? 0 : 128);
        }
    }

    /**
     * Tells swscale the source's matrix and range (a decoder may flag full range on a plain yuv420p picture)
     * and that the JPEG side is BT.601 full range; done only when they change.
     */
    private void configureColours(int colorspace, int range) {
        if (colorspace == configuredColorspace && range == configuredRange) {
            return;
        }
        int sourceRange = range == AVCOL_RANGE_JPEG ? 1 : 0;
        sws_setColorspaceDetails(context, sws_getCoefficients(colorspace), sourceRange,
                sws_getCoefficients(SWS_CS_ITU601), 1, 0, 1 << 16, 1 << 16);
        configuredColorspace = colorspace;
        configuredRange = range;
    }

    @Override
    public void close() {
        if (context != null) {
            sws_freeContext(context);
            context = null;
        }
        destination.close();
    }
}
