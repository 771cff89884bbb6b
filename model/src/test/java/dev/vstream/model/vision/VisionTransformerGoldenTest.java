package dev.vstream.model.vision;

import static dev.vstream.model.vision.Goldens.FEATURE_REL_TOLERANCE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tiny random CLIP (fp32 weights, 3 layers, CLS + 16 patches) and SigLIP (bf16 weights,
 * 2 layers, 16 patches, attention-pooling head) checkpoints of make_goldens.py against
 * transformers' CLIPVisionModel / SiglipVisionModel run in float64 on the same weights, with
 * the projections on the Vector API GEMM and on the scalar reference GEMM.
 */
class VisionTransformerGoldenTest {

    private static final int FRAMES = 4;

    private static String goldens(String name) {
        return "goldens/" + name + "_tiny.safetensors";
    }

    @ParameterizedTest
    @CsvSource({"clip, vector", "clip, scalar", "siglip, vector", "siglip, scalar"})
    void everyHiddenStateMatches(String name, String gemm) {
        try (Towers t = Towers.tiny(name, Towers.gemm(gemm))) {
            VisionConfig config = t.tower().config();
            float[] pixels = Goldens.read(goldens(name), "pixel_values");
            float[][] states = new float[config.layers() + 1][FRAMES * config.sequenceLength() * config.hiddenSize()];
            t.tower().hiddenStates(pixels, FRAMES, t.tower().newWorkspace(FRAMES), states);
            for (int i = 0; i <= config.layers(); i++) {
                Goldens.compare(name + "/" + gemm + " hidden_states." + i, states[i],
                        Goldens.read(goldens(name), "hidden_states." + i)).assertRelBelow(FEATURE_REL_TOLERANCE);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"clip, vector", "clip, scalar", "siglip, vector", "siglip, scalar"})
    void lastHiddenStatePooledOutputAndFeaturesMatch(String name, String gemm) {
        try (Towers t = Towers.tiny(name, Towers.gemm(gemm))) {
            VisionTransformer tower = t.tower();
            VisionConfig config = tower.config();
            VisionWorkspace ws = tower.newWorkspace(FRAMES);
            float[] pixels = Goldens.read(goldens(name), "pixel_values");
            String label = name + "/" + gemm + " ";

            float[] last = new float[FRAMES * config.sequenceLength() * config.hiddenSize()];
            tower.lastHiddenState(pixels, FRAMES, ws, last);
            Goldens.compare(label + "last_hidden_state", last, Goldens.read(goldens(name), "last_hidden_state"))
                    .assertRelBelow(FEATURE_REL_TOLERANCE);

            assertThat(tower.hasPoolingHead()).isTrue();
            float[] pooled = new float[FRAMES * config.hiddenSize()];
            tower.pooledOutput(pixels, FRAMES, ws, pooled);
            Goldens.compare(label + "pooler_output", pooled, Goldens.read(goldens(name), "pooler_output"))
                    .assertRelBelow(FEATURE_REL_TOLERANCE);

            int tokens = tower.featureTokens(FeatureSelection.FLASH_VSTREAM);
            assertThat(tokens).isEqualTo(config.patches());
            float[] features = new float[FRAMES * tokens * config.hiddenSize()];
            tower.features(pixels, FRAMES, FeatureSelection.FLASH_VSTREAM, ws, features);
            Goldens.compare(label + "features (layer -2, patches)", features, Goldens.read(goldens(name), "features"))
                    .assertRelBelow(FEATURE_REL_TOLERANCE);
        }
    }

    /** From synthetic RGB frames through the Java preprocessor: the whole path of a frame. */
    @ParameterizedTest
    @ValueSource(strings = {"clip", "siglip"})
    void endToEndFromRgbFramesMatches(String name) {
        try (Towers t = Towers.tiny(name, Towers.VECTOR)) {
            VisionTransformer tower = t.tower();
            ImagePreprocessor preprocessor = new ImagePreprocessor(
                    PreprocessorConfig.forCheckpoint(Goldens.path(name + "_tiny"), tower.config()));
            float[] pixels = preprocessor.preprocess(SyntheticImages.all());
            int size = tower.featureTokens(FeatureSelection.FLASH_VSTREAM) * tower.config().hiddenSize();
            float[] features = new float[FRAMES * size];
            tower.features(pixels, FRAMES, FeatureSelection.FLASH_VSTREAM, tower.newWorkspace(FRAMES), features);
            Goldens.compare(name + " end-to-end features", features, Goldens.read(goldens(name), "features"))
                    .assertRelBelow(FEATURE_REL_TOLERANCE);
        }
    }

    /**
     * Frames never see each other: a batch gives the frames run one at a time. Bit-equality is
     * not promised (the GEMM may block a 4-frame batch differently from one frame), so the
     * bound is the golden tolerance scaled down a hundredfold.
     */
    @ParameterizedTest
    @ValueSource(strings = {"clip", "siglip"})
    void framesOfABatchAreIndependent(String name) {
        try (Towers t = Towers.tiny(name, Towers.VECTOR)) {
            VisionTransformer tower = t.tower();
            float[] pixels = Goldens.read(goldens(name), "pixel_values");
            int frameFloats = pixels.length / FRAMES;
            int size = tower.featureTokens(FeatureSelection.FLASH_VSTREAM) * tower.config().hiddenSize();
            float[] batched = new float[FRAMES * size];
            tower.features(pixels, FRAMES, FeatureSelection.FLASH_VSTREAM, tower.newWorkspace(FRAMES), batched);
            VisionWorkspace single = tower.newWorkspace(1);
            for (int f = FRAMES - 1; f >= 0; f--) {
                float[] one = new float[size];
                float[] framePixels = Arrays.copyOfRange(pixels, f * frameFloats, (f + 1) * frameFloats);
                tower.features(framePixels, 1, FeatureSelection.FLASH_VSTREAM, single, one);
                Goldens.compare(name + " frame " + f + " alone vs in batch", one,
                        Arrays.copyOfRange(batched, f * size, (f + 1) * size)).assertRelBelow(FEATURE_REL_TOLERANCE / 100);
            }
        }
    }
}
