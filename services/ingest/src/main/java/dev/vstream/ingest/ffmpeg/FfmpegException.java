package dev.vstream.ingest.ffmpeg;

/** A failed FFmpeg call: names the C function and carries FFmpeg's own text for the error code. */
public final class FfmpegException extends Exception {
    private final int errorCode;

    public FfmpegException(String function, int errorCode) {
        super(function + "() failed: " + Ffmpeg.describe(errorCode));
        this.errorCode = errorCode;
    }

    public FfmpegException(String message) {
        super(message);
        this.errorCode = 0;
    }

    /** The negative AVERROR code, 0 when the failure was not a return code (e.g. a null allocation). */
    public int errorCode() {
        return errorCode;
    }
}
