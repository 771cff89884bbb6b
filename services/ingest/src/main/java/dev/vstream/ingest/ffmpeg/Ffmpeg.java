package dev.vstream.ingest.ffmpeg;

import static org.bytedeco.ffmpeg.global.avdevice.avdevice_register_all;
import static org.bytedeco.ffmpeg.global.avformat.avformat_network_init;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.avutil.av_version_info;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avdevice;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacpp.Loader;

/** The thin layer over FFmpeg's C API: loading, log level, return-code checks and error texts. */
public final class Ffmpeg {
    private static final Pattern JAVACV_ERROR = Pattern.compile("^(\\w+)\\(\\) error (-\\d+)");
    private static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";
    private static final String JAVACV_LOG_HINT = " (For more details, make sure FFmpegLogCallback.set() has been called.)";

    private Ffmpeg() {
    }

    /**
     * Loads the natives (idempotent) and sets FFmpeg's own stderr log level. The codec, format and scaling
     * libraries are required; libavdevice (lavfi and v4l2 inputs) is optional because it links the system's
     * libpulse.so.0, which slim images lack. JavaCV's own loader stops at the first failure, so the
     * libraries are loaded here one by one.
     */
    public static synchronized Natives load(LogLevel level) throws FfmpegException {
        if (natives != null) {
            av_log_set_level(level.avLevel);
            return natives;
        }
        useWritableCacheDir();
        try {
            Loader.load(avutil.class);
            Loader.load(swresample.class);
            Loader.load(avcodec.class);
            Loader.load(avformat.class);
            Loader.load(swscale.class);
            avformat_network_init();
        } catch (RuntimeException | LinkageError e) {
            throw new FfmpegException("cannot load the FFmpeg natives: " + rootMessage(e));
        }
        av_log_set_level(level.avLevel);
        String devicesProblem = null;
        try {
            Loader.load(avdevice.class);
            avdevice_register_all();
        } catch (RuntimeException | LinkageError e) {
            devicesProblem = "FFmpeg's libavdevice (lavfi and v4l2 inputs) did not load: " + rootMessage(e)
                    + (rootMessage(e).contains("libpulse") ? " (install the libpulse0 package)" : "");
        }
        natives = new Natives(av_version_info().getString(), devicesProblem);
        return natives;
    }

    /**
     * JavaCPP extracts the natives under ~/.javacpp/cache. Containers often run as a user whose home is not
     * writable (Jib's 1000:1000 has none), so fall back to the temporary directory unless a cache dir was set.
     */
    private static void useWritableCacheDir() {
        if (System.getProperty(CACHE_DIR_PROPERTY) != null) {
            return;
        }
        Path home = Path.of(System.getProperty("user.home", "/"));
        Path cache = home.resolve(".javacpp");
        if (Files.isWritable(cache) || (!Files.exists(cache) && Files.isWritable(home))) {
            return;
        }
        System.setProperty(CACHE_DIR_PROPERTY, Path.of(System.getProperty("java.io.tmpdir"), "javacpp-cache").toString());
    }

    /** What {@link #load} found: FFmpeg's version, and why input devices are unavailable (null when they are). */
    public record Natives(String version, String devicesProblem) {
        public boolean devicesAvailable() {
            return devicesProblem == null;
        }
    }

    private static Natives natives;

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** @return ret when it is not an error */
    public static int check(int ret, String function) throws FfmpegException {
        if (ret < 0) {
            throw new FfmpegException(function, ret);
        }
        return ret;
    }

    /** FFmpeg's text for an AVERROR code, e.g. "Invalid data found when processing input". */
    public static String describe(int errorCode) {
        byte[] buffer = new byte[256];
        if (av_strerror(errorCode, buffer, buffer.length) < 0) {
            return "error " + errorCode;
        }
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) {
            end++;
        }
        return new String(buffer, 0, end, StandardCharsets.UTF_8);
    }

    /**
     * JavaCV reports FFmpeg failures as {@code avformat_open_input() error -2: Could not open input "..." (hints)};
     * this turns them into FFmpeg's text for the code and the C function, e.g. "No such file or directory
     * (avformat_open_input -2)", leaving the URL (which may carry credentials) out. Other messages are kept.
     */
    public static String explain(Exception javacvError) {
        String message = javacvError.getMessage() == null ? javacvError.getClass().getSimpleName() : javacvError.getMessage();
        Matcher m = JAVACV_ERROR.matcher(message);
        if (m.find()) {
            try {
                return describe(Integer.parseInt(m.group(2))) + " (" + m.group(1) + " " + m.group(2) + ")";
            } catch (NumberFormatException e) {
                return message;
            }
        }
        return message.replace(JAVACV_LOG_HINT, "");
    }

    /** FFmpeg's log levels for what it prints to stderr itself; per-frame decoder complaints start at ERROR. */
    public enum LogLevel {
        QUIET(avutil.AV_LOG_QUIET), PANIC(avutil.AV_LOG_PANIC), FATAL(avutil.AV_LOG_FATAL), ERROR(avutil.AV_LOG_ERROR),
        WARNING(avutil.AV_LOG_WARNING), INFO(avutil.AV_LOG_INFO), VERBOSE(avutil.AV_LOG_VERBOSE), DEBUG(avutil.AV_LOG_DEBUG);

        private final int avLevel;

        LogLevel(int avLevel) {
            this.avLevel = avLevel;
        }
    }
}
