package dev.vstream.ingest.picture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.api.stream.ResizeMode;
import dev.vstream.ingest.TestVideos;
import dev.vstream.ingest.ffmpeg.Ffmpeg;
import dev.vstream.ingest.source.DecodedPicture;
import dev.vstream.ingest.source.SourceSpec;
import dev.vstream.ingest.source.VideoSource;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JpegFrameEncoderTest {
    private static Path video;

    @BeforeAll
    static void sample() throws Exception {
        Ffmpeg.load(Ffmpeg.LogLevel.FATAL);
        video = TestVideos.sample(320, 240, 10, Duration.ofSeconds(1));
    }

    private static BufferedImage encodeFirstFrame(int width, int height, ResizeMode mode, int quality) throws Exception {
        try (VideoSource source = VideoSource.open(SourceSpec.parse(video.toString()), Duration.ofSeconds(5), null);
             JpegFrameEncoder encoder = new JpegFrameEncoder(width, height, mode, quality)) {
            DecodedPicture picture = source.next();
            byte[] jpeg = encoder.encode(picture.picture());
            assertThat(jpeg).startsWith(0xFF, 0xD8);
            return ImageIO.read(new ByteArrayInputStream(jpeg));
        }
    }

    private static int luma(BufferedImage image, int x, int y) {
        int rgb = image.getRGB(x, y);
        return (((rgb >> 16) & 0xff) * 299 + ((rgb >> 8) & 0xff) * 587 + (rgb & 0xff) * 114) / 1000;
    }

    private static double meanLuma(BufferedImage image, int x0, int y0, int x1, int y1) {
        long sum = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                sum += luma(image, x, y);
            }
        }
        return (double) sum / ((long) (x1 - x0) * (y1 - y0));
    }

    @Test
    void letterboxPadsBlackBarsAroundTheCenteredPicture() throws Exception {
        BufferedImage image = encodeFirstFrame(224, 224, ResizeMode.LETTERBOX, 90);
        assertThat(image.getWidth()).isEqualTo(224);
        assertThat(image.getHeight()).isEqualTo(224);
        // 320x240 fits as 224x168 with 28 rows of black above and below
        assertThat(meanLuma(image, 0, 0, 224, 26)).isLessThan(4);
        assertThat(meanLuma(image, 0, 198, 224, 224)).isLessThan(4);
        assertThat(meanLuma(image, 0, 30, 224, 194)).isGreaterThan(20); // the coloured background
    }

    @Test
    void centerCropFillsTheWholeTarget() throws Exception {
        BufferedImage image = encodeFirstFrame(224, 224, ResizeMode.CENTER_CROP, 90);
        assertThat(image.getWidth()).isEqualTo(224);
        assertThat(image.getHeight()).isEqualTo(224);
        assertThat(meanLuma(image, 0, 200, 224, 224)).isGreaterThan(20);
        assertThat(meanLuma(image, 200, 0, 224, 224)).isGreaterThan(20);
    }

    @Test
    void oddTargetSizesComeOutExactly() throws Exception {
        for (ResizeMode mode : ResizeMode.values()) {
            BufferedImage image = encodeFirstFrame(225, 99, mode, 75);
            assertThat(image.getWidth()).as("%s", mode).isEqualTo(225);
            assertThat(image.getHeight()).as("%s", mode).isEqualTo(99);
        }
    }

    @Test
    void upscalesToo() throws Exception {
        BufferedImage image = encodeFirstFrame(1280, 720, ResizeMode.LETTERBOX, 50);
        assertThat(image.getWidth()).isEqualTo(1280);
        assertThat(meanLuma(image, 0, 0, 150, 720)).isLessThan(4); // 960x720 picture, 160 px bars
    }

    @Test
    void higherQualityGivesLargerFiles() throws IOException {
        assertThat(JpegFrameEncoder.qscaleFor(100)).isEqualTo(1);
        assertThat(JpegFrameEncoder.qscaleFor(90)).isEqualTo(2);
        assertThat(JpegFrameEncoder.qscaleFor(75)).isEqualTo(5);
        assertThat(JpegFrameEncoder.qscaleFor(50)).isEqualTo(10);
        assertThat(JpegFrameEncoder.qscaleFor(1)).isEqualTo(31);
        for (int q = 2; q <= 100; q++) {
            assertThat(JpegFrameEncoder.qscaleFor(q)).isLessThanOrEqualTo(JpegFrameEncoder.qscaleFor(q - 1));
        }
    }
}
