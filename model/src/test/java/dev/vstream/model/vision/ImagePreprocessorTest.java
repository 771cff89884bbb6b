package dev.vstream.model.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.model.loader.ModelLoadException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Preprocessing against transformers' PIL-backend processors (goldens from make_goldens.py).
 * Tolerance: exact. Pillow's resize is integer arithmetic on weights computed in double, and
 * rescale/normalize are float32 operations on one byte value, so a faithful port reproduces
 * every value bit for bit; any difference, even one level, is a bug.
 */
class ImagePreprocessorTest {

    private static final List<RgbImage> IMAGES = SyntheticImages.all();

    @Test
    void syntheticImagesAreThoseOfTheGoldenScript() throws IOException {
        String manifest = Files.readString(Goldens.path("goldens/manifest.json"));
        for (int i = 0; i < IMAGES.size(); i++) {
            SyntheticImages.Spec spec = SyntheticImages.SPECS.get(i);
            assertThat(SyntheticImages.crc32(IMAGES.get(i))).as("image %d", i).isEqualTo(spec.crc32());
            assertThat(manifest).contains("\"crc32\": " + spec.crc32());
        }
        assertThat(SyntheticImages.crc32(SyntheticImages.levels())).isEqualTo(SyntheticImages.LEVELS_CRC32);
        assertThat(manifest).contains("\"levels_crc32\": " + SyntheticImages.LEVELS_CRC32);
    }

    @Test
    void everyByteLevelIsRescaledAndNormalizedExactly() {
        for (String name : List.of("clip", "siglip")) {
            PreprocessorConfig base = name.equals("clip") ? PreprocessorConfig.clip(224) : PreprocessorConfig.siglip(224);
            PreprocessorConfig noResize = new PreprocessorConfig(false, 0, 0, 0, base.resample(), true, 16, 16,
                    true, base.rescaleFactor(), true, base.mean(), base.std());
            float[] out = new float[3 * 16 * 16];
            new ImagePreprocessor(noResize).preprocess(SyntheticImages.levels(), out, 0);
            Goldens.compare("levels " + name, out, Goldens.read("goldens/levels.safetensors", name));
            assertThat(out).containsExactly(Goldens.read("goldens/levels.safetensors", name));
        }
    }

    /** The uint8 stage at the real 224 size: Pillow's bicubic resize (+ CLIP's center crop). */
    @Test
    void resizeAndCropAt224MatchPillowExactly() throws IOException {
        for (String name : List.of("clip", "siglip")) {
            PreprocessorConfig real = name.equals("clip") ? PreprocessorConfig.clip(224) : PreprocessorConfig.siglip(224);
            ImagePreprocessor bytes = new ImagePreprocessor(new PreprocessorConfig(true, real.shortestEdge(),
                    real.resizeHeight(), real.resizeWidth(), real.resample(), real.doCenterCrop(), real.cropHeight(),
                    real.cropWidth(), false, 1, false, real.mean(), real.std()));
            ImagePreprocessor full = new ImagePreprocessor(real);
            float[] levels = Goldens.read("goldens/levels.safetensors", name);
            for (int i = 0; i < IMAGES.size(); i++) {
                BufferedImage png = ImageIO.read(Goldens.path("goldens/preprocess224/" + name + "_" + i + ".png").toFile());
                assertThat(png.getWidth()).isEqualTo(224);
                assertThat(png.getHeight()).isEqualTo(224);
                RgbImage expected = RgbImage.of(png);
                float[] actual = new float[bytes.outputSize()];
                bytes.preprocess(IMAGES.get(i), actual, 0);
                int mismatches = 0;
                int maxLevels = 0;
                float[] expectedFloats = new float[actual.length];
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 224; y++) {
                        for (int x = 0; x < 224; x++) {
                            int want = expected.channel(x, y, c);
                            int got = (int) actual[(c * 224 + y) * 224 + x];
                            mismatches += got == want ? 0 : 1;
                            maxLevels = Math.max(maxLevels, Math.abs(got - want));
                            // The processor's float output is a function of the byte: the levels golden.
                            expectedFloats[(c * 224 + y) * 224 + x] = levels[c * 256 + levelIndex(want, c)];
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "golden %-40s %d of %d values differ, max %d levels%n",
                        "preprocess224 " + name + "_" + i, mismatches, actual.length, maxLevels);
                assertThat(mismatches).as("%s image %d: values differing from Pillow", name, i).isZero();
                float[] normalized = new float[full.outputSize()];
                full.preprocess(IMAGES.get(i), normalized, 0);
                assertThat(normalized).containsExactly(expectedFloats);
            }
        }
    }

    /** Position of byte value v of channel c in the levels image (r = i, g = 255 - i, b = 7i mod 256). */
    private static int levelIndex(int v, int c) {
        return switch (c) {
            case 0 -> v;
            case 1 -> 255 - v;
            default -> (v * 183) % 256; // 183 = 7^-1 mod 256
        };
    }

    @Test
    void tinyProcessorsFromTheirConfigFilesMatchPixelValues() {
        for (String name : List.of("clip", "siglip")) {
            VisionFamily family = name.equals("clip") ? VisionFamily.CLIP : VisionFamily.SIGLIP;
            PreprocessorConfig config = PreprocessorConfig.read(Goldens.path(name + "_tiny/preprocessor_config.json"), family);
            ImagePreprocessor preprocessor = new ImagePreprocessor(config);
            float[] actual = preprocessor.preprocess(IMAGES);
            float[] expected = Goldens.read("goldens/" + name + "_tiny.safetensors", "pixel_values");
            Goldens.compare("pixel_values " + name + "_tiny", actual, expected);
            assertThat(actual).containsExactly(expected);
        }
    }

    @Test
    void readsBothConfigFormats() throws IOException {
        assertThat(PreprocessorConfig.read(Goldens.path("clip_tiny/preprocessor_config.json"), VisionFamily.CLIP))
                .isEqualTo(PreprocessorConfig.clip(56));
        assertThat(PreprocessorConfig.read(Goldens.path("siglip_tiny/preprocessor_config.json"), VisionFamily.SIGLIP))
                .isEqualTo(PreprocessorConfig.siglip(32));
        Path legacy = Files.createTempFile("preprocessor", ".json");
        try {
            // The openai/clip-vit-large-patch14 form: integer sizes, feature-extractor era keys.
            Files.writeString(legacy, """
                    {"crop_size": 224, "do_center_crop": true, "do_normalize": true, "do_resize": true,
                     "feature_extractor_type": "CLIPFeatureExtractor",
                     "image_mean": [0.48145466, 0.4578275, 0.40821073],
                     "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "size": 224}""");
            assertThat(PreprocessorConfig.read(legacy, VisionFamily.CLIP)).isEqualTo(PreprocessorConfig.clip(224));
            Files.writeString(legacy, "{\"size\": 384, \"image_mean\": 0.5, \"image_std\": [0.5, 0.5, 0.5]}");
            assertThat(PreprocessorConfig.read(legacy, VisionFamily.SIGLIP)).isEqualTo(PreprocessorConfig.siglip(384));
            Files.writeString(legacy, "{\"resample\": 1}");
            assertThatThrownBy(() -> PreprocessorConfig.read(legacy, VisionFamily.CLIP))
                    .isInstanceOf(ModelLoadException.class).hasMessageContaining("resample 1");
            Files.writeString(legacy, "{\"image_mean\": [0.5, 0.5]}");
            assertThatThrownBy(() -> PreprocessorConfig.read(legacy, VisionFamily.CLIP))
                    .isInstanceOf(ModelLoadException.class).hasMessageContaining("image_mean");
        } finally {
            Files.delete(legacy);
        }
    }

    @Test
    void shortestEdgeResizeKeepsTheAspectRatioAsPythonTruncates() {
        ImagePreprocessor clip = new ImagePreprocessor(PreprocessorConfig.clip(224));
        assertThat(clip.resizedSize(333, 250)).containsExactly(298, 224);
        assertThat(clip.resizedSize(97, 131)).containsExactly(224, 302);
        assertThat(clip.resizedSize(224, 300)).containsExactly(224, 300);
    }

    @Test
    void grayscaleImagesAreReplicatedNotGammaConverted() {
        BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 100, 255});
        RgbImage rgb = RgbImage.of(gray);
        assertThat(rgb.pixels()).containsExactly(0x000000, 0x646464, 0xFFFFFF);
    }

    @Test
    void rejectsBadInputs() {
        assertThatThrownBy(() -> new RgbImage(2, 2, new int[3])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PreprocessorConfig(true, 224, 0, 0, ResampleFilter.BICUBIC, true, 256, 256,
                true, 1 / 255.0, true, PreprocessorConfig.HALF, PreprocessorConfig.HALF))
                .hasMessageContaining("larger than the shortest edge");
        ImagePreprocessor clip = new ImagePreprocessor(PreprocessorConfig.clip(224));
        assertThatThrownBy(() -> clip.preprocess(IMAGES.get(0), new float[10], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
