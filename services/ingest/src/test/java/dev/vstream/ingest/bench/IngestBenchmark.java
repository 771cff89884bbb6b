package dev.vstream.ingest.bench;

import dev.vstream.api.stream.PlaybackMode;
import dev.vstream.api.stream.ResizeMode;
import dev.vstream.api.stream.StreamRegistration;
import dev.vstream.api.stream.StreamState;
import dev.vstream.api.stream.StreamStatus;
import dev.vstream.api.topic.TopicProvisioner;
import dev.vstream.api.topic.Topics;
import dev.vstream.broker.KafkaBroker;
import dev.vstream.ingest.ffmpeg.Ffmpeg;
import dev.vstream.ingest.picture.JpegFrameEncoder;
import dev.vstream.ingest.publish.KafkaFramePublisher;
import dev.vstream.ingest.sample.SampleVideo;
import dev.vstream.ingest.source.DecodedPicture;
import dev.vstream.ingest.source.SourceSpec;
import dev.vstream.ingest.source.VideoSource;
import dev.vstream.ingest.stream.StreamRegistry;
import dev.vstream.ingest.stream.StreamSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avutil;

/**
 * Ingest throughput against the ffmpeg CLI on the same machine and files, in one run (the baseline runs
 * beside the measurement). For each generated H.264 file it times, best of a few repetitions:
 * <ol>
 *   <li>{@code ffmpeg -v error -i f.mp4 -f null -}: FFmpeg's own decode, the ceiling for anything built on it;</li>
 *   <li>our decode alone (JavaCV grabber in RAW mode, no conversion);</li>
 *   <li>the whole pipeline, decode + pts sampling + resize + JPEG + publish to the local Kafka broker with
 *       every frame acknowledged, at 5 fps and at the source rate (every frame encoded).</li>
 * </ol>
 * Frames/s counts decoded source frames. Then the two JPEG encoders on decoded 720p pictures.
 *
 * <p>Run through services/ingest/bench/run.sh: {@code IngestBenchmark <work dir> [seconds] [repetitions]}.
 */
public final class IngestBenchmark {
    private final Path workDir;
    private final int repetitions;
    private final StreamRegistry registry;
    private final List<String> rows = new ArrayList<>();
    private int streams;

    private IngestBenchmark(Path workDir, int repetitions, StreamRegistry registry) {
        this.workDir = workDir;
        this.repetitions = repetitions;
        this.registry = registry;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path workDir = Path.of(args.length > 0 ? args[0] : "target/bench").toAbsolutePath();
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Files.createDirectories(workDir);
        Ffmpeg.Natives natives = Ffmpeg.load(Ffmpeg.LogLevel.FATAL);
        System.out.printf("FFmpeg (JavaCV) %s, ffmpeg CLI: %s, %d CPUs, Java %s%n", natives.version(), cliVersion(),
                Runtime.getRuntime().availableProcessors(), Runtime.version());

        List<Path> files = new ArrayList<>();
        for (int[] size : new int[][] {{1280, 720}, {1920, 1080}}) {
            Path file = workDir.resolve("sample-" + size[1] + "p-30fps-" + seconds + "s.mp4");
            if (!Files.exists(file)) {
                long start = System.nanoTime();
                new SampleVideo(size[0], size[1], 30, Duration.ofSeconds(seconds)).write(file);
                System.out.printf("generated %s in %.1f s%n", file.getFileName(), (System.nanoTime() - start) / 1e9);
            }
            files.add(file);
        }

        System.out.println("starting the local Kafka broker ...");
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        TopicProvisioner.ensure(bootstrap, List.of(Topics.FRAMES));
        try (KafkaFramePublisher publisher = KafkaFramePublisher.create(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                Duration.ofMillis(5));
             StreamRegistry registry = new StreamRegistry(new StreamSettings(4, 16, Duration.ofSeconds(10), Duration.ofMillis(100),
                     Duration.ofSeconds(1), Duration.ofSeconds(30), natives.devicesProblem()), publisher, new SimpleMeterRegistry())) {
            IngestBenchmark bench = new IngestBenchmark(workDir, repetitions, registry);
            for (Path file : files) {
                bench.measure(file);
            }
            bench.print();
        }
        compareJpegEncoders(files.getFirst());
        System.exit(0); // the shared broker's shutdown hook stops it
    }

    private void measure(Path file) throws Exception {
        String name = file.getFileName().toString();
        long frames = countFrames(file);
        double cli = best(() -> cliDecodeSeconds(file, false));
        // The CLI pays process start-up, library loading and probing on every run; decoding one frame measures that.
        double startup = best(() -> cliDecodeSeconds(file, true));
        double cliDecode = (cli - startup) * frames / (frames - 1);
        row(name, "ffmpeg CLI decode (-f null), wall", frames, cli, cli, cliDecode);
        row(name, "ffmpeg CLI decode, start-up excluded", frames, cliDecode, cli, cliDecode);
        row(name, "ingest decode only (JavaCV RAW)", frames, best(() -> decodeSeconds(file)), cli, cliDecode);
        row(name, "ingest pipeline 5 fps 224x224 -> Kafka", frames, best(() -> pipelineSeconds(file, 5.0, 224, 224)), cli, cliDecode);
        row(name, "ingest pipeline 30 fps 224x224 -> Kafka", frames, best(() -> pipelineSeconds(file, 30.0, 224, 224)), cli, cliDecode);
        row(name, "ingest pipeline 5 fps 640x360 -> Kafka", frames, best(() -> pipelineSeconds(file, 5.0, 640, 360)), cli, cliDecode);
    }

    private void row(String file, String what, long frames, double seconds, double cliSeconds, double cliDecodeSeconds) {
        rows.add(String.format(Locale.ROOT, "| %-27s | %-40s | %8.1f | %7.2f | %9.2f |", file, what, frames / seconds,
                cliSeconds / seconds, cliDecodeSeconds / seconds));
    }

    private void print() {
        System.out.println();
        System.out.println(String.format(Locale.ROOT, "| %-27s | %-40s | %8s | %7s | %9s |", "file (30 fps, H.264)", "what",
                "frames/s", "vs CLI", "vs decode"));
        System.out.println("|" + "-".repeat(29) + "|" + "-".repeat(42) + "|" + "-".repeat(10) + "|" + "-".repeat(9) + "|"
                + "-".repeat(11) + "|");
        rows.forEach(System.out::println);
        System.out.println("frames/s = decoded source frames per wall-clock second (ours include opening the file, and for the"
                + " pipeline every frame acknowledged by Kafka), best of " + repetitions + ".");
        System.out.println("vs CLI = ours over the ffmpeg CLI's wall time; vs decode = over the CLI's decode time alone"
                + " (1.00 = as fast as FFmpeg decoding alone).");
    }

    private double best(Measurement measurement) throws Exception {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repetitions; i++) {
            best = Math.min(best, measurement.seconds());
        }
        return best;
    }

    private static double cliDecodeSeconds(Path file, boolean firstFrameOnly) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-i", file.toString()));
        if (firstFrameOnly) {
            command.addAll(List.of("-frames:v", "1"));
        }
        command.addAll(List.of("-f", "null", "-"));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("ffmpeg exited with " + process.exitValue() + " on " + file);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double decodeSeconds(Path file) throws Exception {
        long start = System.nanoTime();
        try (VideoSource source = VideoSource.open(SourceSpec.parse(file.toString()), Duration.ofSeconds(10), null)) {
            while (source.next() != null) {
                // decode only
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static long countFrames(Path file) throws Exception {
        long frames = 0;
        try (VideoSource source = VideoSource.open(SourceSpec.parse(file.toString()), Duration.ofSeconds(10), null)) {
            while (source.next() != null) {
                frames++;
            }
        }
        return frames;
    }

    private double pipelineSeconds(Path file, double fps, int width, int height) throws Exception {
        String id = "bench-" + (streams++);
        long start = System.nanoTime();
        registry.register(new StreamRegistration(id, file.toString(), fps, width, height, ResizeMode.LETTERBOX, PlaybackMode.FAST, 90));
        StreamStatus status = registry.status(id);
        while (!status.state().isTerminal()) {
            Thread.sleep(1);
            status = registry.status(id);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (status.state() != StreamState.COMPLETED) {
            throw new IllegalStateException(id + " ended " + status.state() + ": " + status.lastError());
        }
        registry.stop(id);
        return seconds;
    }

    /** The choice behind JpegFrameEncoder: FFmpeg's mjpeg against ImageIO on the same decoded pictures. */
    private static void compareJpegEncoders(Path file) throws Exception {
        List<AVFrame> pictures = new ArrayList<>();
        try (VideoSource source = VideoSource.open(SourceSpec.parse(file.toString()), Duration.ofSeconds(10), null)) {
            for (DecodedPicture p = source.next(); p != null && pictures.size() < 60; p = source.next()) {
                pictures.add(avutil.av_frame_clone(p.picture()));
            }
        }
        System.out.println();
        System.out.println("JPEG encoders on " + pictures.size() + " decoded pictures of " + file.getFileName() + " (quality 90, resize included):");
        System.out.println(String.format(Locale.ROOT, "| %-9s | %-28s | %-28s | %7s |", "target", "FFmpeg mjpeg (chosen)", "ImageIO (BGR copy + JPEG)", "speed-up"));
        System.out.println("|" + "-".repeat(11) + "|" + "-".repeat(30) + "|" + "-".repeat(30) + "|" + "-".repeat(9) + "|");
        for (int[] size : new int[][] {{224, 224}, {640, 360}}) {
            try (JpegFrameEncoder mjpeg = new JpegFrameEncoder(size[0], size[1], ResizeMode.LETTERBOX, 90);
                 ImageIoJpegEncoder imageIo = new ImageIoJpegEncoder(size[0], size[1], 90)) {
                double[] a = timeEncoder(pictures, p -> mjpeg.encode(p).length);
                double[] b = timeEncoder(pictures, p -> imageIo.encode(p).length);
                System.out.println(String.format(Locale.ROOT, "| %-9s | %6.2f ms/frame, %6.0f bytes | %6.2f ms/frame, %6.0f bytes | %6.1fx |",
                        size[0] + "x" + size[1], a[0], a[1], b[0], b[1], b[0] / a[0]));
            }
        }
        pictures.forEach(avutil::av_frame_free);
    }

    /** @return best-of-3 milliseconds per picture and mean bytes */
    private static double[] timeEncoder(List<AVFrame> pictures, Encoder encoder) throws Exception {
        double best = Double.MAX_VALUE;
        long bytes = 0;
        for (int round = 0; round < 4; round++) { // the first round warms up
            bytes = 0;
            long start = System.nanoTime();
            for (AVFrame picture : pictures) {
                bytes += encoder.encode(picture);
            }
            if (round > 0) {
                best = Math.min(best, (System.nanoTime() - start) / 1e6 / pictures.size());
            }
        }
        return new double[] {best, (double) bytes / pictures.size()};
    }

    private static String cliVersion() {
        try {
            Process process = new ProcessBuilder("ffmpeg", "-version").redirectErrorStream(true).start();
            String first = new String(process.getInputStream().readAllBytes()).lines().findFirst().orElse("?");
            process.waitFor();
            return first.replace("ffmpeg version ", "").split(" Copyright")[0];
        } catch (IOException e) {
            throw new IllegalStateException("the ffmpeg CLI is needed as the baseline: install it (apt-get install -y ffmpeg)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    @FunctionalInterface
    private interface Measurement {
        double seconds() throws Exception;
    }

    @FunctionalInterface
    private interface Encoder {
        int encode(AVFrame picture) throws Exception;
    }
}
