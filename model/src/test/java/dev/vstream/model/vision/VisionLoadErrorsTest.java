package dev.vstream.model.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.model.loader.ModelLoadException;
import dev.vstream.model.loader.ShapeMismatchException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Other checkpoint layouts, and the named errors of broken ones. */
class VisionLoadErrorsTest {

    private static final String CLIP_VISION = """
            "hidden_size": 64, "intermediate_size": %d, "num_attention_heads": %d, "num_hidden_layers": 3,
            "patch_size": 14, "image_size": 56, "hidden_act": "%s", "layer_norm_eps": 1e-05""";

    @TempDir
    Path dir;

    private static String clipVision(int intermediate, int heads, String act) {
        return CLIP_VISION.formatted(intermediate, heads, act);
    }

    /** Loads and closes: for the checks that happen at load time. */
    private static VisionTransformer load(Path folder) {
        try (Towers t = Towers.open(folder, Towers.VECTOR)) {
            return t.tower();
        }
    }

    private Path clipCopy(UnaryOperator<String> rename, String config) {
        return CheckpointRewriter.rewrite(Goldens.path("clip_tiny"), dir.resolve("clip"), rename, config);
    }

    /** A full CLIPModel checkpoint: vision_model.* tensors and a nested vision_config. */
    @Test
    void loadsTheFullClipModelLayout() {
        Path folder = clipCopy(n -> "vision_model." + n, "{\"model_type\": \"clip\", \"vision_config\": {"
                + clipVision(128, 4, "quick_gelu") + "}, \"text_config\": {\"hidden_size\": 32}}");
        try (Towers t = Towers.open(folder, Towers.VECTOR)) {
            VisionTransformer tower = t.tower();
            assertThat(tower.config().family()).isEqualTo(VisionFamily.CLIP);
            float[] pixels = Goldens.read("goldens/clip_tiny.safetensors", "pixel_values");
            float[] features = new float[4 * 16 * 64];
            tower.features(pixels, 4, FeatureSelection.FLASH_VSTREAM, tower.newWorkspace(4), features);
            Goldens.compare("clip (vision_model.* layout) features", features,
                    Goldens.read("goldens/clip_tiny.safetensors", "features")).assertRelBelow(Goldens.FEATURE_REL_TOLERANCE);
        }
    }

    @Test
    void missingTensorIsNamed() {
        Path folder = clipCopy(n -> n.equals("encoder.layers.1.mlp.fc2.bias") ? null : n, null);
        assertThatThrownBy(() -> load(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("no tensor 'encoder.layers.1.mlp.fc2.bias'");
    }

    @Test
    void configThatDisagreesWithTheWeightsIsAShapeMismatch() {
        Path folder = clipCopy(n -> n, "{\"model_type\": \"clip_vision_model\", " + clipVision(96, 4, "quick_gelu") + "}");
        assertThatThrownBy(() -> load(folder)).isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("encoder.layers.0.mlp.fc1.weight")
                .hasMessageContaining("[128, 64]").hasMessageContaining("[96, 64]");
    }

    @Test
    void badConfigValuesNameTheFileAndKey() {
        Path heads = clipCopy(n -> n, "{\"model_type\": \"clip_vision_model\", " + clipVision(128, 5, "quick_gelu") + "}");
        assertThatThrownBy(() -> load(heads)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("config.json").hasMessageContaining("num_attention_heads 5");
    }

    @Test
    void unsupportedActivationAndModelTypeAreRejected() {
        Path act = CheckpointRewriter.rewrite(Goldens.path("clip_tiny"), dir.resolve("act"), n -> n,
                "{\"model_type\": \"clip_vision_model\", " + clipVision(128, 4, "swish") + "}");
        assertThatThrownBy(() -> load(act)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("hidden_act 'swish'");
        Path type = CheckpointRewriter.rewrite(Goldens.path("clip_tiny"), dir.resolve("type"), n -> n,
                "{\"model_type\": \"llama\"}");
        assertThatThrownBy(() -> load(type)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model_type 'llama'");
    }

    @Test
    void siglipHeadIsOptionalUnlessTheConfigAsksForIt() {
        UnaryOperator<String> noHead = n -> n.startsWith("head.") ? null : n;
        Path without = CheckpointRewriter.rewrite(Goldens.path("siglip_tiny"), dir.resolve("nohead"), noHead, null);
        try (Towers t = Towers.open(without, Towers.VECTOR)) {
            assertThat(t.tower().hasPoolingHead()).isFalse();
            assertThatThrownBy(() -> t.tower().pooledOutput(new float[3 * 32 * 32], 1, t.tower().newWorkspace(1),
                    new float[64])).isInstanceOf(IllegalStateException.class);
        }

        Path required = CheckpointRewriter.rewrite(Goldens.path("siglip_tiny"), dir.resolve("required"), noHead,
                "{\"model_type\": \"siglip_vision_model\", \"hidden_size\": 64, \"intermediate_size\": 128,"
                        + " \"num_attention_heads\": 4, \"num_hidden_layers\": 2, \"patch_size\": 8, \"image_size\": 32,"
                        + " \"vision_use_head\": true}");
        assertThatThrownBy(() -> load(required)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("no tensor 'head.probe'");
    }

    @Test
    void wrongInputsAreRejectedBeforeAnyWork() {
        VisionTransformer tower = load(Goldens.path("clip_tiny")); // fails before reading any weight
        VisionWorkspace ws = tower.newWorkspace(2);
        float[] out = new float[3 * 16 * 64];
        assertThatThrownBy(() -> tower.features(new float[3 * 3 * 56 * 56], 3, FeatureSelection.FLASH_VSTREAM, ws, out))
                .hasMessageContaining("3 frames for a workspace of at most 2");
        assertThatThrownBy(() -> tower.features(new float[10], 1, FeatureSelection.FLASH_VSTREAM, ws, out))
                .hasMessageContaining("pixels hold 10 values");
        assertThatThrownBy(() -> tower.resolveLayer(4)).hasMessageContaining("outside [-4, 3]");
        assertThat(tower.resolveLayer(-2)).isEqualTo(2);
    }
}
