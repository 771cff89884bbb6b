package dev.vstream.model.sambay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelLoadException;
import dev.vstream.model.loader.SafetensorsFile;
import dev.vstream.model.loader.ShapeMismatchException;
import dev.vstream.model.loader.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken copies of the tiny checkpoint fail at load time with the loader's named errors. */
class SambaYLoadErrorsTest {

    @TempDir
    Path dir;

    private static void load(Path folder) {
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            SambaYModel.load(checkpoint, SambaYGoldens.SCALAR);
        }
    }

    /** Copies the tiny checkpoint keeping the tensors {@code keep} accepts, config edited by {@code config}. */
    private Path copy(Predicate<String> keep, UnaryOperator<String> config) throws IOException {
        Path source = SambaYGoldens.path("sambay_tiny");
        Path target = Files.createDirectories(dir.resolve("copy"));
        Files.writeString(target.resolve("config.json"), config.apply(Files.readString(source.resolve("config.json"))));
        StringBuilder header = new StringBuilder("{");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        try (SafetensorsFile file = SafetensorsFile.open(source.resolve("model.safetensors"))) {
            for (String name : file.names()) {
                if (!keep.test(name)) {
                    continue;
                }
                TensorInfo info = file.info(name);
                byte[] bytes = file.tensor(name).segment().toArray(ValueLayout.JAVA_BYTE);
                header.append(header.length() > 1 ? "," : "").append('"').append(name).append("\":{\"dtype\":\"")
                        .append(info.dtype().name()).append("\",\"shape\":").append(info.shape())
                        .append(",\"data_offsets\":[").append(data.size()).append(',')
                        .append(data.size() + bytes.length).append("]}");
                data.writeBytes(bytes);
            }
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.writeBytes(json);
        out.writeBytes(data.toByteArray());
        Files.write(target.resolve("model.safetensors"), out.toByteArray());
        return target;
    }

    @Test
    void anIntactCopyLoads() throws IOException {
        load(copy(name -> true, c -> c));
    }

    @Test
    void missingTensorsAreNamed() throws IOException {
        Path gmu = copy(name -> !name.equals("model.layers.6.attn.out_proj.weight"), c -> c);
        assertThatThrownBy(() -> load(gmu)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("no tensor 'model.layers.6.attn.out_proj.weight'");
    }

    @Test
    void missingLambdaOfACrossLayerIsNamed() throws IOException {
        Path cross = copy(name -> !name.equals("model.layers.7.attn.inner_cross_attn.lambda_k2"), c -> c);
        assertThatThrownBy(() -> load(cross)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("'model.layers.7.attn.inner_cross_attn.lambda_k2'");
    }

    @Test
    void aConfigThatDisagreesWithTheWeightsGivesAShapeMismatch() throws IOException {
        Path folder = copy(name -> true, c -> c.replace("\"intermediate_size\": 96", "\"intermediate_size\": 80"));
        assertThatThrownBy(() -> load(folder)).isInstanceOfSatisfying(ShapeMismatchException.class, e -> {
            assertThat(e.tensor()).isEqualTo("model.layers.0.mlp.fc1.weight");
            assertThat(e.expected()).containsExactly(160, 64);
        });
        Path state = copy(name -> true, c -> c.replace("\"mamba_d_state\": 8", "\"mamba_d_state\": 16"));
        assertThatThrownBy(() -> load(state)).isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("model.layers.0.attn.x_proj.weight");
    }

    @Test
    void unsupportedConfigsAreNamed() throws IOException {
        Path layers = copy(name -> true, c -> c.replace("\"num_hidden_layers\": 8", "\"num_hidden_layers\": 6"));
        assertThatThrownBy(() -> load(layers)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("num_hidden_layers").hasMessageContaining("config.json");
        Path type = copy(name -> true, c -> c.replace("\"phi4flash\"", "\"phi3\""));
        assertThatThrownBy(() -> load(type)).isInstanceOf(ModelLoadException.class).hasMessageContaining("model_type");
    }

    @Test
    void anUntiedHeadMustBeStored() throws IOException {
        Path folder = copy(name -> true, c -> c.replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false"));
        assertThatThrownBy(() -> load(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("'lm_head.weight'");
    }
}
