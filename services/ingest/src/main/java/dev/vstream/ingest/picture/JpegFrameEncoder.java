package dev.vstream.ingest.picture;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_QSCALE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AV_FRAME_CROP_UNALIGNED;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.FF_QP2LAMBDA;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_apply_cropping;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_ref;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import dev.vstream.api.stream.ResizeMode;
import dev.vstream.ingest.ffmpeg.Ffmpeg;
import dev.vstream.ingest.ffmpeg.FfmpegException;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * Turns decoded pictures into JPEGs of one target size: crop (CENTER_CROP) with av_frame_apply_cropping,
 * scale with swscale straight into a full-range 4:2:0 canvas (LETTERBOX bars stay black between frames),
 * then FFmpeg's mjpeg encoder. No pixel is touched in Java.
 *
 * <p>FFmpeg's mjpeg encoder was measured against ImageIO's JPEG writer (IngestBenchmark prints both):
 * 2.5-4x faster for 224x224 and 640x360 targets from 720p, with files of about the same size at the
 * same quality, partly because it takes the scaler's YUV output as is, while ImageIO needs BGR pixels
 * copied into a Java array and converted back to YCbCr.
 *
 * <p>Not thread-safe: one per stream, used by that stream's reader thread. Owns native memory; close it.
 */
public final class JpegFrameEncoder implements AutoCloseable {
    private final int targetWidth;
    private final int targetHeight;
    private final ResizeMode mode;
    private final int qscale;
    private final PictureScaler scaler = new PictureScaler();
    private final AVFrame canvas;
    private final AVFrame view;
    private final AVPacket packet;
    private AVCodecContext encoder;
    private ResizeGeometry geometry;
    private int sourceWidth = -1;
    private int sourceHeight = -1;
    private double sourcePixelAspect = Double.NaN;
    private long encoded;

    public JpegFrameEncoder(int targetWidth, int targetHeight, ResizeMode mode, int jpegQuality) throws FfmpegException {
        this.targetWidth = targetWidth;
        this.targetHeight = targetHeight;
        this.mode = mode;
        this.qscale = qscaleFor(jpegQuality);
        this.canvas = av_frame_alloc();
        this.view = av_frame_alloc();
        this.packet = av_packet_alloc();
        try {
            if (canvas == null || view == null || packet == null) {
                throw new FfmpegException("av_frame_alloc/av_packet_alloc returned null: out of native memory");
            }
            canvas.format(AV_PIX_FMT_YUVJ420P).width(targetWidth).height(targetHeight).color_range(AVCOL_RANGE_JPEG);
            Ffmpeg.check(av_frame_get_buffer(canvas, 0), "av_frame_get_buffer");
            encoder = openEncoder(targetWidth, targetHeight, qscale);
        } catch (FfmpegException e) {
            close();
            throw e;
        }
    }

    /**
     * Maps a JPEG quality 1..100 (libjpeg's scale, as ImageIO uses it) to the mjpeg encoder's qscale 1..31.
     * libjpeg scales its standard tables by S = 5000/q (q < 50) or 200 - 2q percent; FFmpeg's mjpeg writes
     * the MPEG-1 intra matrix times qscale/8, so qscale grows linearly with S. qscale = S/10 was calibrated
     * on the sample video at 640x360: file sizes within 3% of ImageIO's at q = 50..95 (qscale is an
     * integer, so q 90..95 share qscale 1..2).
     */
    static int qscaleFor(int jpegQuality) {
        int q = Math.max(1, Math.min(100, jpegQuality));
        double s = q < 50 ? 5000.0 / q : 200.0 - 2.0 * q;
        return (int) Math.max(1, Math.min(31, Math.round(s / 10)));
    }

    /** Resizes and encodes one decoded picture (any pixel format swscale reads); returns the JPEG bytes. */
    public byte[] encode(AVFrame picture) throws FfmpegException {
        ensureGeometry(picture);
        AVFrame source = picture;
        if (mode == ResizeMode.CENTER_CROP && (geometry.cropWidth() != picture.width() || geometry.cropHeight() != picture.height())) {
            Ffmpeg.check(av_frame_ref(view, picture), "av_frame_ref");
            view.crop_left(geometry.cropX()).crop_top(geometry.cropY())
                    .crop_right(picture.width() - geometry.cropX() - geometry.cropWidth())
                    .crop_bottom(picture.height() - geometry.cropY() - geometry.cropHeight());
            Ffmpeg.check(av_frame_apply_cropping(view, AV_FRAME_CROP_UNALIGNED), "av_frame_apply_cropping");
            source = view;
        }
        try {
            Ffmpeg.check(av_frame_make_writable(canvas), "av_frame_make_writable");
            scaler.scale(source, canvas, geometry);
        } finally {
            if (source == view) {
                av_frame_unref(view);
            }
        }
        canvas.pts(encoded++);
        canvas.quality(qscale * FF_QP2LAMBDA);
        Ffmpeg.check(avcodec_send_frame(encoder, canvas), "avcodec_send_frame");
        Ffmpeg.check(avcodec_receive_packet(encoder, packet), "avcodec_receive_packet");
        try {
            byte[] jpeg = new byte[packet.size()];
            packet.data().get(jpeg);
            return jpeg;
        } finally {
            av_packet_unref(packet);
        }
    }

    /** The geometry of the last encoded picture, null before the first. */
    public ResizeGeometry geometry() {
        return geometry;
    }

    private void ensureGeometry(AVFrame picture) {
        AVRational sar = picture.sample_aspect_ratio();
        double pixelAspect = sar.num() > 0 && sar.den() > 0 ? (double) sar.num() / sar.den() : 1.0;
        if (picture.width() == sourceWidth && picture.height() == sourceHeight && pixelAspect == sourcePixelAspect) {
            return;
        }
        sourceWidth = picture.width();
        sourceHeight = picture.height();
        sourcePixelAspect = pixelAspect;
        geometry = ResizeGeometry.of(sourceWidth, sourceHeight, pixelAspect, targetWidth, targetHeight, mode, 2);
        if (geometry.padded()) {
            scaler.fillBlack(canvas);
        }
    }

    private static AVCodecContext openEncoder(int width, int height, int qscale) throws FfmpegException {
        AVCodec codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
        if (codec == null) {
            throw new FfmpegException("avcodec_find_encoder(MJPEG) found no encoder in this FFmpeg build");
        }
        AVCodecContext context = avcodec_alloc_context3(codec);
        if (context == null) {
            throw new FfmpegException("avcodec_alloc_context3 returned null: out of native memory");
        }
        context.width(width).height(height).pix_fmt(AV_PIX_FMT_YUVJ420P).color_range(AVCOL_RANGE_JPEG)
                .time_base(av_make_q(1, 30)).thread_count(1).qmin(1).qmax(31)
                .flags(context.flags() | AV_CODEC_FLAG_QSCALE).global_quality(qscale * FF_QP2LAMBDA);
        AVDictionary options = new AVDictionary(null);
        // Standard Huffman tables: "optimal" costs a second pass over every block for ~5% smaller files.
        av_dict_set(options, "huffman", "default", 0);
        try {
            Ffmpeg.check(avcodec_open2(context, codec, options), "avcodec_open2(mjpeg)");
        } catch (FfmpegException e) {
            avcodec_free_context(context);
            throw e;
        } finally {
            av_dict_free(options);
        }
        return context;
    }

    @Override
    public void close() {
        scaler.close();
        if (encoder != null) {
            avcodec_free_context(encoder);
            encoder = null;
        }
        if (packet != null) {
            av_packet_free(packet);
        }
        if (view != null) {
            av_frame_free(view);
        }
        if (canvas != null) {
            av_frame_free(canvas);
        }
    }
}
