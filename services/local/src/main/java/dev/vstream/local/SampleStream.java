package dev.vstream.local;

import dev.vstream.ingest.sample.SampleVideo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The bundled sample stream: generated once into the data directory, then reused. */
final class SampleStream {
    /** A minute of 640x360 at 25 fps: moving shapes, a clock and scene changes (see SampleVideo). */
    static final SampleVideo VIDEO = new SampleVideo(640, 360, 25, Duration.ofSeconds(60));

    private SampleStream() {
    }

    static Path ensure(Path dataDir) throws IOException {
        Path file = dataDir.resolve("sample").resolve("sample-" + VIDEO.width() + "x" + VIDEO.height() + "-"
                + VIDEO.fps() + "fps-" + VIDEO.duration().toSeconds() + "s.mp4");
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".partial.mp4");
            System.out.println("Generating the sample video " + file + " (once) ...");
            VIDEO.write(partial);
            Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return file.toAbsolutePath();
    }
}
