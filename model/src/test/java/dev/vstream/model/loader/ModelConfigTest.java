package dev.vstream.model.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {

    /** Keys and value types as in the released Phi-4-mini-flash and Nemotron-Flash configs. */
    private static final String CONFIG = """
            {
              "architectures": ["Phi4FlashForCausalLM"],
              "model_type": "phi4flash",
              "vocab_size": 200064,
              "hidden_size": 2560,
              "num_attention_heads": 40,
              "layer_norm_eps": 1e-05,
              "rope_theta": 10000,
              "tie_word_embeddings": true,
              "sliding_window": 512,
              "rope_scaling": null,
              "global_attn_idx": [],
              "attn_layer_idx": [4, 12, 20],
              "layer_types": ["deltanet", "f", "m2", "f", "a"],
              "max_position_embeddings": 262144,
              "big": 5000000000,
              "ratio": 3.0,
              "vision_config": {"hidden_size": 1024, "patch_size": 14, "image_mean": [0.5, 0.5, 0.5]}
            }
            """;

    private final ModelConfig config = ModelConfig.parse(CONFIG, "/ckpt/config.json");

    @TempDir
    Path dir;

    @Test
    void readsTypedValues() {
        assertThat(config.getInt("vocab_size")).isEqualTo(200064);
        assertThat(config.getLong("big")).isEqualTo(5_000_000_000L);
        assertThat(config.getDouble("layer_norm_eps")).isEqualTo(1e-5);
        assertThat(config.getDouble("rope_theta")).isEqualTo(10000.0);
        assertThat(config.getDouble("ratio")).isEqualTo(3.0);
        assertThat(config.getBoolean("tie_word_embeddings")).isTrue();
        assertThat(config.getString("model_type")).isEqualTo("phi4flash");
        assertThat(config.getStringList("architectures")).containsExactly("Phi4FlashForCausalLM");
        assertThat(config.getStringList("layer_types")).containsExactly("deltanet", "f", "m2", "f", "a");
        assertThat(config.getIntList("attn_layer_idx")).containsExactly(4, 12, 20);
        assertThat(config.getIntList("global_attn_idx")).isEmpty();
        assertThat(config.keys()).startsWith("architectures", "model_type");
    }

    @Test
    void defaultsApplyToAbsentAndNullKeys() {
        assertThat(config.has("rope_scaling")).isFalse();
        assertThat(config.has("hidden_size")).isTrue();
        assertThat(config.has("mamba_d_state")).isFalse();
        assertThat(config.getInt("mamba_d_state", 16)).isEqualTo(16);
        assertThat(config.getInt("hidden_size", 1)).isEqualTo(2560);
        assertThat(config.getDouble("rope_scaling", 1.0)).isEqualTo(1.0);
        assertThat(config.getString("rope_type", "default")).isEqualTo("default");
        assertThat(config.getBoolean("use_cache", true)).isTrue();
        assertThat(config.getLong("nope", 7L)).isEqualTo(7L);
    }

    @Test
    void errorsNameTheFileAndTheKey() {
        assertThatThrownBy(() -> config.getInt("num_hidden_layers"))
                .isInstanceOf(ModelLoadException.class).hasMessage("/ckpt/config.json: key 'num_hidden_layers' is missing");
        assertThatThrownBy(() -> config.getInt("rope_scaling"))
                .hasMessage("/ckpt/config.json: key 'rope_scaling' is null");
        assertThatThrownBy(() -> config.getInt("model_type"))
                .hasMessage("/ckpt/config.json: key 'model_type' is a string ('phi4flash'), expected an integer");
        assertThatThrownBy(() -> config.getInt("layer_norm_eps"))
                .hasMessage("/ckpt/config.json: key 'layer_norm_eps' value 1e-05 is not an integer");
        assertThatThrownBy(() -> config.getInt("ratio")).hasMessageContaining("value 3.0 is not an integer");
        assertThatThrownBy(() -> config.getInt("big")).hasMessageContaining("key 'big' value 5000000000 does not fit in an int");
        assertThatThrownBy(() -> config.getString("vocab_size")).hasMessageContaining("is a number (200064), expected a string");
        assertThatThrownBy(() -> config.getBoolean("hidden_size")).hasMessageContaining("expected a boolean");
        assertThatThrownBy(() -> config.getIntList("layer_types"))
                .hasMessage("/ckpt/config.json: key 'layer_types[0]' is a string ('deltanet'), expected an integer");
        assertThatThrownBy(() -> config.getStringList("attn_layer_idx"))
                .hasMessageContaining("key 'attn_layer_idx[0]' is a number (4), expected a string");
        assertThatThrownBy(() -> config.getStringList("model_type")).hasMessageContaining("expected an array of strings");
        assertThatThrownBy(() -> config.getSection("hidden_size"))
                .hasMessageContaining("key 'hidden_size' is a number (2560), expected an object");
    }

    @Test
    void nestedSectionsKeepTheKeyPath() {
        ModelConfig vision = config.getSection("vision_config");
        assertThat(vision.getInt("patch_size")).isEqualTo(14);
        assertThat(vision.source()).isEqualTo("/ckpt/config.json");
        assertThatThrownBy(() -> vision.getInt("image_size"))
                .hasMessage("/ckpt/config.json: key 'vision_config.image_size' is missing");
        assertThatThrownBy(() -> vision.getIntList("image_mean"))
                .hasMessageContaining("key 'vision_config.image_mean[0]' value 0.5 is not an integer");
    }

    @Test
    void rejectsHugeDoublesAndNonObjectDocuments() {
        assertThatThrownBy(() -> ModelConfig.parse("{\"x\": 1e400}", "c.json").getDouble("x"))
                .hasMessageContaining("key 'x' value 1e400 is outside the range of a double");
        assertThatThrownBy(() -> ModelConfig.parse("[1]", "c.json"))
                .isInstanceOf(ModelLoadException.class).hasMessage("c.json: a config must be a JSON object, found an array");
    }

    @Test
    void readsFilesWithOrWithoutByteOrderMark() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), "\uFEFF{\"hidden_size\": 8}");
        assertThat(ModelConfig.read(file).getInt("hidden_size")).isEqualTo(8);
        assertThat(ModelConfig.read(file).source()).isEqualTo(file.toString());
        assertThatThrownBy(() -> ModelConfig.read(dir.resolve("absent.json")))
                .isInstanceOf(ModelLoadException.class).hasMessage(dir.resolve("absent.json") + ": file not found");
        Path latin1 = Files.write(dir.resolve("latin1.json"), "{\"a\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ModelConfig.read(latin1)).hasMessageContaining("not valid UTF-8 at byte 10");
        Path deep = Files.writeString(dir.resolve("deep.json"), "{\"a\":" + "[".repeat(50_000) + "]".repeat(50_000) + "}");
        assertThatThrownBy(() -> ModelConfig.read(deep)).hasMessageContaining("nesting deeper than 64");
    }
}
