package dev.vstream.ingest.source;

import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import dev.vstream.ingest.ffmpeg.Ffmpeg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * An opened source, decoding video frames through JavaCV's FFmpegFrameGrabber in RAW mode: the grabber
 * hands over the decoder's own picture, and only sampled frames are ever converted (by the picture
 * package). Owns native resources; one reader thread uses it. A blocked network read returns within the
 * I/O timeout, which also bounds how long stopping a stalled source takes.
 */
public final class VideoSource implements AutoCloseable {
    private final SourceSpec spec;
    private final FFmpegFrameGrabber grabber;
    private final double frameRate;
    private final long durationMicros;

    private VideoSource(SourceSpec spec, FFmpegFrameGrabber grabber) {
        this.spec = spec;
        this.grabber = grabber;
        double rate = grabber.getVideoFrameRate();
        this.frameRate = rate > 0 && rate < 1000 ? rate : 0;
        this.durationMicros = videoDurationMicros(grabber);
    }

    /**
     * @param devicesProblem why libavdevice is unavailable, null when it is (lavfi and v4l2 need it)
     * @throws SourceException with a message fit for a stream's lastError
     */
    public static VideoSource open(SourceSpec spec, Duration ioTimeout, String devicesProblem) throws SourceException {
        if (spec.kind().inputDevice() && devicesProblem != null) {
            throw new SourceException("cannot open " + spec.redacted() + ": " + devicesProblem);
        }
        if (spec.kind() == SourceKind.FILE) {
            Path path = Path.of(spec.location());
            if (!Files.exists(path)) {
                throw new SourceException("no such file: " + path);
            }
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw new SourceException("not a readable file: " + path);
            }
        }
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(spec.url());
        if (spec.format() != null) {
            grabber.setFormat(spec.format());
        }
        grabber.setImageMode(FrameGrabber.ImageMode.RAW);
        // No stream has this index, so no audio decoder is opened: an exotic audio codec cannot fail a video source.
        grabber.setAudioStream(Integer.MAX_VALUE);
        spec.options(ioTimeout).forEach(grabber::setOption);
        try {
            // start() would hold a JVM-wide lock for as long as a network open waits, stalling every other stream.
            grabber.startUnsafe();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            release(grabber);
            throw new SourceException("cannot open " + spec.redacted() + ": " + Ffmpeg.explain(e), e);
        }
        if (!grabber.hasVideo()) {
            release(grabber);
            throw new SourceException(spec.redacted() + " has no video stream");
        }
        return new VideoSource(spec, grabber);
    }

    /**
     * Decodes the next video frame. Undecodable packets are skipped by the grabber (a damaged stretch costs
     * frames, not the stream).
     *
     * @return the frame, or null at the end of the source (or when a live source closed the connection)
     */
    public DecodedPicture next() throws SourceException {
        Frame frame;
        try {
            frame = grabber.grabImage();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            throw new SourceException("cannot read " + spec.redacted() + ": " + Ffmpeg.explain(e), e);
        }
        if (frame == null || !(frame.opaque instanceof AVFrame picture)) {
            return null;
        }
        long pts = picture.best_effort_timestamp() == AV_NOPTS_VALUE ? DecodedPicture.UNKNOWN_PTS : frame.timestamp;
        return new DecodedPicture(picture, pts);
    }

    /** The stream's nominal frame rate, 0 when unknown. */
    public double frameRate() {
        return frameRate;
    }

    /** Duration of the video stream (or the container) in microseconds, -1 when unknown (live, lavfi). */
    public long durationMicros() {
        return durationMicros;
    }

    public int width() {
        return grabber.getImageWidth();
    }

    public int height() {
        return grabber.getImageHeight();
    }

    public String codecName() {
        String name = grabber.getVideoCodecName();
        return name == null ? "unknown" : name;
    }

    private static long videoDurationMicros(FFmpegFrameGrabber grabber) {
        AVFormatContext context = grabber.getFormatContext();
        if (context == null) {
            return -1;
        }
        int index = grabber.getVideoStream();
        if (index >= 0 && index < context.nb_streams()) {
            AVStream stream = context.streams(index);
            if (stream.duration() != AV_NOPTS_VALUE && stream.duration() > 0 && stream.time_base().den() > 0) {
                return stream.duration() * 1_000_000L * stream.time_base().num() / stream.time_base().den();
            }
        }
        return context.duration() != AV_NOPTS_VALUE && context.duration() > 0 ? grabber.getLengthInTime() : -1;
    }

    @Override
    public void close() {
        release(grabber);
    }

    private static void release(FFmpegFrameGrabber grabber) {
        try {
            grabber.releaseUnsafe();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            // Nothing useful to do: the source is being abandoned either way.
        }
    }
}
