package dev.vstream.ingest.sample;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * A synthetic H.264 MP4 for demos, tests and benchmarks: coloured shapes bouncing over a slowly panning,
 * grainy background (so the encoder and decoders see texture and whole-frame motion, as with a camera,
 * not just flat areas), a running clock (minutes, seconds, milliseconds) and the frame number drawn as
 * seven-segment digits, and a scene change every quarter of the video (at least 1 s apart) that swaps the
 * background colour and the set of shapes. Every pixel is a function of the parameters and the frame
 * index, so two files written with the same parameters show the same pictures.
 *
 * @param width    picture width, even (H.264 4:2:0)
 * @param height   picture height, even
 * @param fps      frames per second
 * @param duration length; the file holds round(duration * fps) frames
 */
public record SampleVideo(int width, int height, int fps, Duration duration) {
    private static final int TILE = 128;
    /** Background pan speed in pixels per second, both ways. */
    private static final double PAN = 24;
    private static final Color[] BACKGROUNDS = {new Color(18, 32, 74), new Color(92, 22, 30), new Color(20, 84, 40),
            new Color(80, 70, 20), new Color(64, 24, 88), new Color(24, 72, 84)};

    public SampleVideo {
        if (width < 16 || height < 16 || width % 2 != 0 || height % 2 != 0 || width > 7680 || height > 4320) {
            throw new IllegalArgumentException("size must be even and within 16..7680 x 16..4320, got " + width + "x" + height);
        }
        if (fps < 1 || fps > 240) {
            throw new IllegalArgumentException("fps must be in 1..240, got " + fps);
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, got " + duration);
        }
    }

    public long frameCount() {
        return Math.max(1, Math.round(duration.toNanos() * (double) fps / 1e9));
    }

    /** Frames per scene: a quarter of the video, at least one second. */
    public long sceneFrames() {
        return Math.max(fps, (frameCount() + 3) / 4);
    }

    /** Index of the first frame of every scene after the first: where the picture changes abruptly. */
    public List<Long> sceneChanges() {
        List<Long> changes = new ArrayList<>();
        for (long f = sceneFrames(); f < frameCount(); f += sceneFrames()) {
            changes.add(f);
        }
        return changes;
    }

    /** Writes the video as H.264 (OpenH264, in FFmpeg's default LGPL build) in an MP4 container, index last. */
    public Path write(Path file) throws IOException {
        return write(file, false);
    }

    /** Like {@link #write(Path)} with the index (moov) first, as for progressive download over HTTP. */
    public Path writeFastStart(Path file) throws IOException {
        return write(file, true);
    }

    private Path write(Path file, boolean fastStart) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] pixels = ((DataBufferByte) canvas.getRaster().getDataBuffer()).getData();
        ByteBuffer image = ByteBuffer.allocateDirect(pixels.length);
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height, 0)) {
            recorder.setFormat("mp4");
            recorder.setVideoCodecName("libopenh264");
            recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(fps);
            recorder.setGopSize(2 * fps);
            recorder.setVideoBitrate((int) Math.min(Integer.MAX_VALUE, (long) width * height * fps / 6));
            recorder.setVideoOption("allow_skip_frames", "0");
            if (fastStart) {
                recorder.setOption("movflags", "faststart");
            }
            recorder.start();
            Graphics2D g = canvas.createGraphics();
            try {
                for (long frame = 0; frame < frameCount(); frame++) {
                    draw(g, frame);
                    image.clear();
                    image.put(pixels).flip();
                    recorder.recordImage(width, height, Frame.DEPTH_UBYTE, 3, width * 3, AV_PIX_FMT_BGR24, image);
                }
            } finally {
                g.dispose();
            }
            recorder.stop();
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("cannot write sample video " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** Draws frame {@code frame} onto a width x height canvas. */
    public void draw(Graphics2D g, long frame) {
        long scene = frame / sceneFrames();
        double t = (double) (frame - scene * sceneFrames()) / fps; // seconds into the scene
        drawBackground(g, background(scene), t);
        SplittableRandom random = new SplittableRandom(0x5EED_0000L + scene * 7919);
        int shapes = 3 + random.nextInt(3);
        int unit = Math.min(width, height);
        for (int i = 0; i < shapes; i++) {
            drawShape(g, random, unit, t);
        }
        drawClock(g, frame, unit);
    }

    /** A tile of the scene's colour with film-grain noise; the same for every frame of the scene. */
    private static BufferedImage background(long scene) {
        Color base = BACKGROUNDS[(int) (scene % BACKGROUNDS.length)];
        BufferedImage tile = new BufferedImage(TILE, TILE, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) tile.getRaster().getDataBuffer()).getData();
        SplittableRandom random = new SplittableRandom(0xB16_0000L + scene);
        for (int i = 0; i < bgr.length; i += 3) {
            int grain = random.nextInt(-28, 29);
            bgr[i] = (byte) Math.clamp(base.getBlue() + grain, 0, 255);
            bgr[i + 1] = (byte) Math.clamp(base.getGreen() + grain, 0, 255);
            bgr[i + 2] = (byte) Math.clamp(base.getRed() + grain, 0, 255);
        }
        return tile;
    }

    private void drawBackground(Graphics2D g, BufferedImage tile, double t) {
        int shift = (int) Math.floor(PAN * t) % TILE;
        for (int y = -shift; y < height; y += TILE) {
            for (int x = -shift; x < width; x += TILE) {
                g.drawImage(tile, x, y, null);
            }
        }
    }

    private void drawShape(Graphics2D g, SplittableRandom random, int unit, double t) {
        int size = Math.max(4, (int) (unit * (0.10 + 0.15 * random.nextDouble())));
        g.setColor(Color.getHSBColor((float) random.nextDouble(), 0.75f, 0.95f));
        int x = bounce(random.nextDouble() * (width - size), (random.nextDouble() - 0.5) * 0.8 * width, t, width - size);
        int y = bounce(random.nextDouble() * (height - size), (random.nextDouble() - 0.5) * 0.8 * height, t, height - size);
        switch (random.nextInt(3)) {
            case 0 -> g.fillOval(x, y, size, size);
            case 1 -> g.fillRect(x, y, size, size * 2 / 3);
            default -> g.fillPolygon(new Polygon(new int[] {x, x + size / 2, x + size}, new int[] {y + size, y, y + size}, 3));
        }
    }

    /** Position of a point starting at {@code start} with speed {@code velocity} px/s, reflected at 0 and {@code max}. */
    private static int bounce(double start, double velocity, double t, int max) {
        if (max <= 0) {
            return 0;
        }
        double p = Math.floorMod((long) Math.floor(start + velocity * t), 2L * max);
        return (int) (p <= max ? p : 2L * max - p);
    }

    private void drawClock(Graphics2D g, long frame, int unit) {
        long millis = frame * 1000 / fps;
        String clock = String.format("%02d:%02d.%03d", millis / 60_000, millis / 1000 % 60, millis % 1000);
        String number = String.format("%05d", frame);
        int digitHeight = Math.max(10, unit / 10);
        SevenSegment display = new SevenSegment(digitHeight);
        int margin = Math.max(2, digitHeight / 4);
        int boxWidth = display.width(clock) + 2 * margin;
        int boxHeight = 2 * digitHeight + 3 * margin;
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, Math.min(width, boxWidth), Math.min(height, boxHeight));
        g.setColor(Color.WHITE);
        display.draw(g, clock, margin, margin);
        g.setColor(new Color(255, 200, 0));
        display.draw(g, number, margin, 2 * margin + digitHeight);
    }

    /** {@code SampleVideo out.mp4 width height fps seconds} */
    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: SampleVideo <out.mp4> <width> <height> <fps> <seconds>");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        SampleVideo video = new SampleVideo(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                Duration.ofMillis(Math.round(Double.parseDouble(args[4]) * 1000)));
        video.write(Path.of(args[0]));
        System.out.println("wrote " + args[0] + ": " + video.width() + "x" + video.height() + " " + video.fps() + " fps, "
                + video.frameCount() + " frames");
    }
}
