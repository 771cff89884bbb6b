package dev.vstream.ingest;

import dev.vstream.ingest.sample.SampleVideo;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/** Sample files for tests, generated once per build into target/test-videos and reused by every test class. */
public final class TestVideos {
    private static final Path DIR = Path.of("target", "test-videos").toAbsolutePath();

    private TestVideos() {
    }

    /** A SampleVideo file of these parameters. */
    public static synchronized Path sample(int width, int height, int fps, Duration duration) {
        Path file = DIR.resolve("sample-" + width + "x" + height + "-" + fps + "fps-" + duration.toMillis() + "ms.mp4");
        if (!Files.exists(file)) {
            try {
                Path partial = Files.createDirectories(DIR).resolve(file.getFileName() + ".partial.mp4");
                new SampleVideo(width, height, fps, duration).write(partial);
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /** A SampleVideo file with its index first (MP4 faststart): cut short, it still opens. */
    public static synchronized Path fastStart(int width, int height, int fps, Duration duration) {
        Path file = DIR.resolve("faststart-" + width + "x" + height + "-" + fps + "fps-" + duration.toMillis() + "ms.mp4");
        if (!Files.exists(file)) {
            try {
                Path partial = Files.createDirectories(DIR).resolve(file.getFileName() + ".partial.mp4");
                new SampleVideo(width, height, fps, duration).writeFastStart(partial);
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /**
     * The sample as an HLS VOD playlist ({@code index.m3u8}) with 1 s MPEG-TS segments, in its own directory.
     */
    public static synchronized Path hls(int width, int height, int fps, Duration duration) {
        Path dir = DIR.resolve("hls-" + width + "x" + height + "-" + fps + "fps-" + duration.toMillis() + "ms");
        Path playlist = dir.resolve("index.m3u8");
        if (Files.exists(playlist)) {
            return playlist;
        }
        SampleVideo video = new SampleVideo(width, height, fps, duration);
        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] pixels = ((DataBufferByte) canvas.getRaster().getDataBuffer()).getData();
        ByteBuffer image = ByteBuffer.allocateDirect(pixels.length);
        try {
            Files.createDirectories(dir);
            try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(playlist.toFile(), width, height, 0)) {
                recorder.setFormat("hls");
                recorder.setVideoCodecName("libopenh264");
                recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
                recorder.setFrameRate(fps);
                recorder.setGopSize(fps);
                recorder.setOption("hls_time", "1");
                recorder.setOption("hls_list_size", "0");
                recorder.setOption("hls_playlist_type", "vod");
                recorder.start();
                Graphics2D g = canvas.createGraphics();
                for (long frame = 0; frame < video.frameCount(); frame++) {
                    video.draw(g, frame);
                    image.clear();
                    image.put(pixels).flip();
                    recorder.recordImage(width, height, Frame.DEPTH_UBYTE, 3, width * 3, avutil.AV_PIX_FMT_BGR24, image);
                }
                g.dispose();
                recorder.stop();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return playlist;
    }

    /** The first {@code fraction} of a sample file: an MP4 cut off mid-way (its index lost too unless it was first). */
    public static synchronized Path truncated(Path whole, double fraction) {
        Path file = DIR.resolve("truncated-" + Math.round(fraction * 100) + "-" + whole.getFileName());
        try {
            byte[] bytes = Files.readAllBytes(whole);
            Files.write(file, Arrays.copyOf(bytes, (int) (bytes.length * fraction)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Random bytes with a video file's name. */
    public static synchronized Path garbage(int bytes) {
        Path file = DIR.resolve("garbage-" + bytes + ".mp4");
        try {
            byte[] data = new byte[bytes];
            new SplittableRandom(7).nextBytes(data);
            Files.createDirectories(DIR);
            Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
