package dev.vstream.model.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VisionFeaturesMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return VisionFeaturesMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** A lossless PNG of synthetic image 0 gives the golden features of image 0, printed as JSON. */
    @Test
    void printsTheGoldenFeaturesOfAnImageFile(@TempDir Path dir) throws IOException {
        RgbImage image = SyntheticImages.all().getFirst();
        BufferedImage png = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        png.setRGB(0, 0, image.width(), image.height(), image.pixels(), 0, image.width());
        Path file = dir.resolve("frame.png");
        ImageIO.write(png, "png", file.toFile());

        int status = run(Goldens.path("clip_tiny").toString(), file.toString(),
                "--projector", Goldens.path("projector/mm_projector.safetensors").toString());
        String json = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(json).contains("\"family\": \"CLIP\"", "\"layer\": 2", "\"tokens\": 16", "\"hidden\": 64");

        int featuresStart = json.indexOf("\"features\"");
        int projectedStart = json.indexOf("\"projected\"");
        float[] features = numbers(json.substring(featuresStart, projectedStart), 16 * 64);
        float[] projected = numbers(json.substring(projectedStart), 16 * 96);
        float[] goldenFeatures = Goldens.read("goldens/clip_tiny.safetensors", "features");
        float[] goldenProjected = Goldens.read("goldens/clip_tiny.safetensors", "projected");
        Goldens.compare("main: features of image 0", features, Arrays.copyOf(goldenFeatures, 16 * 64))
                .assertRelBelow(Goldens.FEATURE_REL_TOLERANCE);
        Goldens.compare("main: projected of image 0", projected, Arrays.copyOf(goldenProjected, 16 * 96))
                .assertRelBelow(Goldens.FEATURE_REL_TOLERANCE);
    }

    @Test
    void badUsageAndMissingFilesGiveStatusAndMessage(@TempDir Path dir) {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:");
        assertThat(run(Goldens.path("clip_tiny").toString(), dir.resolve("none.png").toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no such image file");
        assertThat(run(dir.toString(), "x.png", "--layer")).isEqualTo(2);
    }

    private static float[] numbers(String text, int count) {
        Matcher m = Pattern.compile("-?\\d+\\.\\d+(E-?\\d+)?").matcher(text);
        float[] values = new float[count];
        int n = 0;
        while (m.find()) {
            values[n++] = Float.parseFloat(m.group());
        }
        assertThat(n).isEqualTo(count);
        return values;
    }
}
