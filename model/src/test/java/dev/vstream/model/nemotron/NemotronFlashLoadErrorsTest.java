package dev.vstream.model.nemotron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LanguageModel.Logits;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelLoadException;
import dev.vstream.model.loader.SafetensorsFile;
import dev.vstream.model.loader.ShapeMismatchException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Broken copies of the tiny checkpoint fail at load time with the loader's named errors. */
class NemotronFlashLoadErrorsTest {

    @TempDir
    Path dir;

    /**
     * The tiny checkpoint with its config edited and only the tensors {@code keep} accepts:
     * the shard is copied as is and a {@code model.safetensors.index.json} lists the kept
     * tensors (the index is authoritative, so an unlisted tensor is missing).
     */
    private Path copy(Predicate<String> keep, UnaryOperator<String> editConfig) {
        Path source = FlashGoldens.path("flash_tiny");
        try {
            Path target = Files.createDirectories(dir.resolve("flash"));
            Files.copy(source.resolve("model.safetensors"), target.resolve("model.safetensors"));
            Files.writeString(target.resolve("config.json"),
                    editConfig.apply(Files.readString(source.resolve("config.json"))));
            try (SafetensorsFile shard = SafetensorsFile.open(source.resolve("model.safetensors"))) {
                String entries = shard.names().stream().filter(keep)
                        .map(n -> "\"" + n + "\": \"model.safetensors\"").collect(Collectors.joining(", "));
                Files.writeString(target.resolve(Checkpoint.INDEX_FILE), "{\"weight_map\": {" + entries + "}}");
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void load(Path folder) {
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            NemotronFlash.load(checkpoint, FlashGoldens.VECTOR);
        }
    }

    @Test
    void anUnchangedCopyLoadsAndMatches() {
        Path folder = copy(n -> true, c -> c);
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.VECTOR);
            int[] ids = FlashGoldens.inputIds();
            float[] logits = new float[ids.length * model.vocabSize()];
            model.prefill(model.newContext(), ids, Logits.ALL_POSITIONS, logits);
            FlashGoldens.compare("copy through an index", logits, FlashGoldens.read("logits"))
                    .assertRelBelow(FlashGoldens.LOGITS_REL_TOLERANCE);
        }
    }

    @ParameterizedTest
    @CsvSource({"model.layers.0.gla.q_conv1d.weight", "model.layers.2.mamba.A_log", "model.layers.4.self_attn.k_proj.weight",
            "model.layers.7.ffn.down_proj.weight", "model.layers.6.input_layernorm.weight", "model.memory_tokens",
            "model.final_layernorm.weight", "model.embed_tokens.weight"})
    void aMissingTensorIsNamed(String tensor) {
        Path folder = copy(n -> !n.equals(tensor), c -> c);
        assertThatThrownBy(() -> load(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("no tensor '" + tensor + "'");
    }

    /** kq_norm "rms" needs the per-head norm weights, which the flash_tiny checkpoint lacks. */
    @Test
    void queryKeyNormWithoutItsWeightsIsAMissingTensor() {
        Path folder = copy(n -> true, c -> c.replace("\"kq_norm\": \"none\"", "\"kq_norm\": \"rms\""));
        assertThatThrownBy(() -> load(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("no tensor 'model.layers.4.self_attn.q_norm.weight'");
    }

    @Test
    void anUntiedConfigWithoutAnLmHeadIsRejected() {
        Path folder = copy(n -> !n.equals("lm_head.weight"), c -> c);
        assertThatThrownBy(() -> load(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("'lm_head.weight'").hasMessageContaining("tie_word_embeddings");
    }

    @Test
    void aTiedConfigUsesTheEmbeddingAsTheHead() {
        Path folder = copy(n -> !n.equals("lm_head.weight"),
                c -> c.replace("\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true"));
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.VECTOR);
            float[] logits = new float[model.vocabSize()];
            ContextState state = model.newContext();
            model.prefill(state, FlashGoldens.inputIds(), logits);
            for (float v : logits) {
                assertThat(Float.isFinite(v)).isTrue();
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"num_key_value_heads\": 2|\"num_key_value_heads\": 4|model.layers.4.self_attn.k_proj.weight|[32, 64]|[64, 64]",
            "\"mamba_d_state\": 16|\"mamba_d_state\": 8|model.layers.2.mamba.in_proj.weight|[296, 64]|[280, 64]",
            "\"mamba2_headdim\": 16|\"mamba2_headdim\": 32|model.layers.2.mamba.in_proj.weight|[296, 64]|[292, 64]",
            "\"ffn_expand_ratio\": 3|\"ffn_expand_ratio\": 4|model.layers.1.ffn.gate_proj.weight|[128, 64]|[256, 64]",
            "\"num_memory_tokens\": 4|\"num_memory_tokens\": 6|model.memory_tokens|[4, 64]|[6, 64]",
            "\"vocab_size\": 256|\"vocab_size\": 300|model.embed_tokens.weight|[256, 64]|[300, 64]"})
    void aConfigThatDisagreesWithTheWeightsIsAShapeMismatch(String key, String changed, String tensor, String actual,
            String expected) {
        Path folder = copy(n -> true, c -> c.replace(key, changed));
        assertThatThrownBy(() -> load(folder)).isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining(tensor).hasMessageContaining("has shape " + actual)
                .hasMessageContaining("expected " + expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "\"kq_norm\": \"none\"|\"kq_norm\": \"layer\"|'kq_norm'",
            "\"rope\": true,|\"rope\": true, \"rope_type\": \"dynamic_ntk\",|'rope_type'",
            "\"rope\": true,|\"rope\": true, \"rope_type\": \"ntk\",|'orig_max_position_embeddings'",
            "\"num_hidden_layers\": 8|\"num_hidden_layers\": 9|'num_hidden_layers'",
            "\"deltanet\"|\"x\"|unsupported operator 'x'",
            "\"num_attention_heads\": 4|\"num_attention_heads\": 5|num_attention_heads 5",
            "\"intermediate_size\": 0|\"intermediate_size\": 128|'intermediate_size'",
            "\"intermediate_size\": 0,|``|'intermediate_size' = 14336 (the reference's default)",
            "\"ffn_expand_ratio\": 3,|``|FFN width",
            "\"mlp_hidden_act\": \"silu\"|\"mlp_hidden_act\": \"relu2\"|'mlp_hidden_act'",
            "\"sliding_window\": null|\"sliding_window\": 8, \"attn_implementation_new\": \"flash_attention_2\"|'sliding_window'"})
    void unsupportedOrInconsistentConfigValuesNameTheFileAndKey(String key, String changed, String message) {
        Path folder = copy(n -> true, c -> c.replace("\"attn_implementation_new\": \"fused_mha\",", "").replace(key, changed));
        assertThatThrownBy(() -> load(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("config.json").hasMessageContaining(message);
    }

    @Test
    void aContextOfAnotherLayoutAndBadInputsAreRefusedBeforeAnythingChanges() {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path("flash_tiny"))) {
            NemotronFlash model = NemotronFlash.load(checkpoint, FlashGoldens.VECTOR);
            float[] logits = new float[model.vocabSize()];
            ContextState foreign = new ContextState("phi4flash 32 layers", java.util.List.of());
            assertThatThrownBy(() -> model.prefill(foreign, new int[] {1}, logits))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("phi4flash");
            ContextState state = model.newContext();
            assertThatThrownBy(() -> model.prefill(state, new int[] {1, 256}, logits))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 256");
            assertThatThrownBy(() -> model.prefill(state, new int[0], logits)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> model.prefill(state, new int[] {1, 2}, Logits.ALL_POSITIONS, logits))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logitsOut");
            assertThat(state.position()).isZero();
        }
    }
}
