package dev.vstream.ingest;

import dev.vstream.ingest.sample.SampleVideo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

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
