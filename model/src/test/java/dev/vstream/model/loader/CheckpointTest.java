package dev.vstream.model.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    private static final String EMBED = Checkpoint.EMBED_TOKENS;

    @TempDir
    Path dir;

    private void config(String json) throws IOException {
        Files.writeString(dir.resolve("config.json"), json);
    }

    private static float[] range(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        return values;
    }

    private void writeTwoShardsWithIndex(String weightMap) throws IOException {
        config("{\"hidden_size\": 4, \"vocab_size\": 3}");
        new SafetensorsWriter()
                .addFloats(EMBED, DType.BF16, new long[] {3, 4}, range(12))
                .addFloats("model.layers.0.input_layernorm.weight", DType.F32, new long[] {4}, 1, 1, 1, 1)
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter()
                .addFloats("model.layers.1.input_layernorm.weight", DType.F16, new long[] {4}, 2, 2, 2, 2)
                .addFloats("model.final_layernorm.weight", DType.F32, new long[] {4}, 3, 3, 3, 3)
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE),
                "{\"metadata\": {\"total_size\": 80}, \"weight_map\": {" + weightMap + "}}");
    }

    private static final String FULL_MAP = """
            "model.embed_tokens.weight": "model-00001-of-00002.safetensors",
            "model.layers.0.input_layernorm.weight": "model-00001-of-00002.safetensors",
            "model.layers.1.input_layernorm.weight": "model-00002-of-00002.safetensors",
            "model.final_layernorm.weight": "model-00002-of-00002.safetensors"
            """;

    @Test
    void opensShardedCheckpointThroughTheIndex() throws IOException {
        writeTwoShardsWithIndex(FULL_MAP);
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThat(checkpoint.tensorNames()).containsExactly(EMBED, "model.final_layernorm.weight",
                    "model.layers.0.input_layernorm.weight", "model.layers.1.input_layernorm.weight");
            assertThat(checkpoint.config().getInt("hidden_size")).isEqualTo(4);
            Tensor embed = checkpoint.tensor(EMBED, 3, 4);
            assertThat(embed.dtype()).isEqualTo(DType.BF16);
            assertThat(embed.row(2).toFloatArray()).containsExactly(8, 9, 10, 11);
            assertThat(checkpoint.tensor("model.layers.1.input_layernorm.weight").toFloatArray()).containsExactly(2, 2, 2, 2);
            assertThat(checkpoint.info("model.final_layernorm.weight").dtype()).isEqualTo(SafetensorsDType.F32);
            assertThat(checkpoint.folder()).isEqualTo(dir.toAbsolutePath().normalize());
        }
    }

    @Test
    void indexMustAgreeWithTheShards() throws IOException {
        writeTwoShardsWithIndex(FULL_MAP.replace("\"model.final_layernorm.weight\": \"model-00002-of-00002",
                "\"model.final_layernorm.weight\": \"model-00001-of-00002"));
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(Checkpoint.INDEX_FILE)
                .hasMessageContaining("tensor 'model.final_layernorm.weight'")
                .hasMessageContaining("model-00001-of-00002.safetensors, which does not contain it");
    }

    @Test
    void indexCannotPointOutsideTheFolderOrAtMissingShards() throws IOException {
        writeTwoShardsWithIndex("\"w\": \"../elsewhere.safetensors\"");
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tensor 'w' in '../elsewhere.safetensors', which is not a file name inside");
        writeTwoShardsWithIndex("\"w\": \"model-00003-of-00002.safetensors\"");
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .hasMessageContaining("tensor 'w' in missing shard").hasMessageContaining("model-00003-of-00002.safetensors");
        writeTwoShardsWithIndex("\"w\": 3");
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("is a number, expected a file name");
        writeTwoShardsWithIndex("");
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("weight_map is empty");
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), "{\"metadata\": {}}");
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("expected an object with a 'weight_map' object");
    }

    @Test
    void withoutIndexOpensEveryFileAndRejectsDuplicates() throws IOException {
        config("{}");
        new SafetensorsWriter().addFloats("a", DType.F32, new long[] {1}, 1).write(dir.resolve("one.safetensors"));
        new SafetensorsWriter().addFloats("b", DType.F16, new long[] {1}, 2).write(dir.resolve("two.safetensors"));
        Files.writeString(dir.resolve("README.md"), "not a shard");
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThat(checkpoint.tensorNames()).containsExactly("a", "b");
            assertThat(checkpoint.tensor("b").getFloat(0)).isEqualTo(2f);
        }
        new SafetensorsWriter().addFloats("a", DType.F32, new long[] {1}, 3).write(dir.resolve("three.safetensors"));
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tensor 'a' is in both one.safetensors and three.safetensors");
    }

    @Test
    void missingTensorNamesFolderTensorAndNearestNames() throws IOException {
        writeTwoShardsWithIndex(FULL_MAP);
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThatThrownBy(() -> checkpoint.tensor("model.layers.2.input_layernorm.weight"))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessage(checkpoint.folder() + ": no tensor 'model.layers.2.input_layernorm.weight' in the "
                            + "checkpoint (4 tensors in 2 files); nearest: 'model.layers.0.input_layernorm.weight', "
                            + "'model.layers.1.input_layernorm.weight', 'model.final_layernorm.weight'");
        }
    }

    @Test
    void shapeMismatchNamesTheShardFile() throws IOException {
        writeTwoShardsWithIndex(FULL_MAP);
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThatThrownBy(() -> checkpoint.tensor("model.final_layernorm.weight", 8))
                    .isInstanceOf(ShapeMismatchException.class)
                    .hasMessage(dir.resolve("model-00002-of-00002.safetensors").toAbsolutePath()
                            + ": tensor 'model.final_layernorm.weight' has shape [4], expected [8]");
        }
    }

    @Test
    void lmHeadFallsBackToTheEmbeddingWhenTied() throws IOException {
        writeTwoShardsWithIndex(FULL_MAP);
        config("{\"tie_word_embeddings\": true}");
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThat(checkpoint.lmHead(3, 4).toFloatArray()).containsExactly(range(12));
            assertThatThrownBy(() -> checkpoint.lmHead(5, 4)).isInstanceOf(ShapeMismatchException.class)
                    .hasMessageContaining(EMBED);
        }
        config("{}"); // transformers' default: tied
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThat(checkpoint.lmHead(-1, 4).shape()).isEqualTo(Shape.of(3, 4));
        }
        config("{\"tie_word_embeddings\": false}");
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThatThrownBy(() -> checkpoint.lmHead(3, 4))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("no tensor 'lm_head.weight'")
                    .hasMessageContaining("tie_word_embeddings to false");
        }
    }

    @Test
    void storedLmHeadWinsOverTheEmbedding() throws IOException {
        config("{\"tie_word_embeddings\": true}");
        new SafetensorsWriter()
                .addFloats(EMBED, DType.F32, new long[] {2, 2}, 1, 2, 3, 4)
                .addFloats(Checkpoint.LM_HEAD, DType.F32, new long[] {2, 2}, 5, 6, 7, 8)
                .write(dir.resolve("model.safetensors"));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThat(checkpoint.lmHead(2, 2).toFloatArray()).containsExactly(5, 6, 7, 8);
        }
    }

    @Test
    void folderErrors() throws IOException {
        assertThatThrownBy(() -> Checkpoint.open(dir.resolve("absent")))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("no such directory");
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("config.json: file not found");
        config("{}");
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("no *.safetensors files");
        Files.write(dir.resolve("broken.safetensors"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("broken.safetensors").hasMessageContaining("too short");
    }

    @Test
    void closeUnmapsEveryShard() throws IOException {
        writeTwoShardsWithIndex(FULL_MAP);
        Tensor embed;
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            embed = checkpoint.tensor(EMBED);
        }
        assertThatThrownBy(() -> embed.getFloat(0)).isInstanceOf(IllegalStateException.class);
    }
}
