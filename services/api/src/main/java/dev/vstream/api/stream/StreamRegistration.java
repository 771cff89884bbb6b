package dev.vstream.api.stream;

import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.frame.StreamId;

/**
 * Body of {@code POST /v1/streams}. Null optional fields take the defaults below.
 *
 * @param id        stream id (Kafka key of its frames)
 * @param source    where to read: a file path, {@code file:}, {@code rtsp://}, {@code rtmp://}, {@code http(s)://}
 *                  (HLS included), {@code v4l2:/dev/video0}, or {@code lavfi:<filter graph>} for FFmpeg test sources
 * @param targetFps frames per second to sample by presentation time (default 1, at most 60)
 * @param width     target width in pixels (default 224)
 * @param height    target height in pixels (default 224)
 * @param resize    how the aspect ratio is kept (default LETTERBOX)
 * @param playback  file sources: REALTIME (default) or FAST
 * @param jpegQuality JPEG quality 1..100 (default 90)
 */
public record StreamRegistration(String id, String source, Double targetFps, Integer width, Integer height,
                                 ResizeMode resize, PlaybackMode playback, Integer jpegQuality) {
    public static final double DEFAULT_FPS = 1.0;
    public static final double MAX_FPS = 60.0;
    public static final int DEFAULT_SIZE = 224;
    public static final int DEFAULT_JPEG_QUALITY = 90;
    public static final int MAX_SOURCE_LENGTH = 4096;

    public StreamRegistration {
        StreamId.require(id);
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("source is required");
        }
        if (source.length() > MAX_SOURCE_LENGTH) {
            throw new IllegalArgumentException("source longer than " + MAX_SOURCE_LENGTH + " characters");
        }
        targetFps = targetFps == null ? DEFAULT_FPS : targetFps;
        if (!(targetFps > 0 && targetFps <= MAX_FPS)) {
            throw new IllegalArgumentException("targetFps must be in (0, " + MAX_FPS + "], got " + targetFps);
        }
        width = width == null ? DEFAULT_SIZE : width;
        height = height == null ? DEFAULT_SIZE : height;
        if (width < 16 || height < 16 || width > FrameRecord.MAX_DIMENSION || height > FrameRecord.MAX_DIMENSION) {
            throw new IllegalArgumentException("target size must be within 16.." + FrameRecord.MAX_DIMENSION + ", got " + width + "x" + height);
        }
        resize = resize == null ? ResizeMode.LETTERBOX : resize;
        playback = playback == null ? PlaybackMode.REALTIME : playback;
        jpegQuality = jpegQuality == null ? DEFAULT_JPEG_QUALITY : jpegQuality;
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("jpegQuality must be in 1..100, got " + jpegQuality);
        }
    }

    /** A registration with every default, for callers that only have an id and a source. */
    public static StreamRegistration of(String id, String source) {
        return new StreamRegistration(id, source, null, null, null, null, null, null);
    }
}
