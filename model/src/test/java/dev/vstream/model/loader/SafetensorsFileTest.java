package dev.vstream.model.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsFileTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsEveryDtype(DType dtype) {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        float[] matrix = new float[6 * 5];
        float[] expected = new float[matrix.length];
        for (int i = 0; i < matrix.length; i++) {
            matrix[i] = (float) random.nextGaussian() * 10;
            // What survives the trip: the value rounded to the stored type, read back exactly.
            expected[i] = switch (dtype) {
                case F32 -> matrix[i];
                case BF16 -> DType.bf16ToFloat(DType.bf16FromFloat(matrix[i]));
                case F16 -> DType.f16ToFloat(DType.f16FromFloat(matrix[i]));
            };
        }
        Path path = new SafetensorsWriter()
                .addFloats("model.norm.weight", dtype, new long[] {3}, 1f, -0.5f, 448f)
                .addFloats("model.embed_tokens.weight", dtype, new long[] {6, 5}, matrix)
                .addFloats("scalar", dtype, new long[] {}, 2.5f)
                .addFloats("empty", dtype, new long[] {0, 4})
                .write(dir.resolve("m.safetensors"));

        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.names()).containsExactly("model.norm.weight", "model.embed_tokens.weight", "scalar", "empty");
            Tensor embed = file.tensor("model.embed_tokens.weight", 6, 5);
            assertThat(embed.dtype()).isEqualTo(dtype);
            assertThat(embed.shape()).isEqualTo(Shape.of(6, 5));
            assertThat(embed.toFloatArray()).as("seed %d", seed).containsExactly(expected);
            assertThat(embed.row(4).getFloat(3)).isEqualTo(expected[4 * 5 + 3]);
            assertThat(file.tensor("model.norm.weight").toFloatArray()).containsExactly(1f, -0.5f, 448f);
            assertThat(file.tensor("scalar").getFloat(0)).isEqualTo(2.5f);
            assertThat(file.tensor("empty").elementCount()).isZero();
            TensorInfo info = file.info("model.embed_tokens.weight");
            assertThat(info.begin()).isEqualTo(3L * dtype.byteSize());
            assertThat(info.byteSize()).isEqualTo(30L * dtype.byteSize());
        }
    }

    @Test
    void readsMetadataAndUnalignedTensorsOfAnUnpaddedHeader() {
        Path path = new SafetensorsWriter().unpadded().metadata("format", "pt")
                .add("odd", "U8", new long[] {1}, new byte[] {7})
                .addFloats("after.odd", DType.F32, new long[] {2}, 1.25f, -3f)
                .write(dir.resolve("u.safetensors"));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.metadata()).containsEntry("format", "pt").hasSize(1);
            assertThat(file.tensor("after.odd").toFloatArray()).containsExactly(1.25f, -3f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"F64", "I64", "U8", "BOOL", "F8_E4M3", "I32", "C64"})
    void recognisesOtherDtypesButRefusesToReadThem(String dtype) {
        int bytes = SafetensorsDType.byName(dtype).orElseThrow().bits() / 8 * 4;
        Path path = new SafetensorsWriter()
                .add("buffer", dtype, new long[] {2, 2}, new byte[bytes])
                .addFloats("weight", DType.BF16, new long[] {1}, 1f)
                .write(dir.resolve("mixed.safetensors"));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.info("buffer").dtype().name()).isEqualTo(dtype);
            assertThat(file.tensor("weight").getFloat(0)).isEqualTo(1f);
            assertThatThrownBy(() -> file.tensor("buffer"))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(path.toString())
                    .hasMessageContaining("'buffer'")
                    .hasMessageContaining("unsupported dtype " + dtype)
                    .hasMessageContaining("supported: F16, BF16, F32");
        }
    }

    @Test
    void subByteDtypesMustFillWholeBytes() {
        Path ok = new SafetensorsWriter().add("fp4", "F4", new long[] {4}, new byte[2]).write(dir.resolve("a.safetensors"));
        try (SafetensorsFile file = SafetensorsFile.open(ok)) {
            assertThat(file.info("fp4").byteSize()).isEqualTo(2);
        }
        Path odd = new SafetensorsWriter().add("fp4", "F4", new long[] {3}, new byte[2]).write(dir.resolve("b.safetensors"));
        assertThatThrownBy(() -> SafetensorsFile.open(odd))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("whole number of bytes");
    }

    @Test
    void shapeMismatchNamesFileTensorAndBothShapes() {
        Path path = new SafetensorsWriter()
                .addFloats("model.layers.0.mlp.fc2.weight", DType.F32, new long[] {2, 3}, new float[6])
                .write(dir.resolve("s.safetensors"));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThatThrownBy(() -> file.tensor("model.layers.0.mlp.fc2.weight", 3, 2))
                    .isInstanceOfSatisfying(ShapeMismatchException.class, e -> {
                        assertThat(e.file()).isEqualTo(path.toString());
                        assertThat(e.tensor()).isEqualTo("model.layers.0.mlp.fc2.weight");
                        assertThat(e.expected()).containsExactly(3, 2);
                        assertThat(e.actual()).isEqualTo(Shape.of(2, 3));
                    })
                    .hasMessage(path + ": tensor 'model.layers.0.mlp.fc2.weight' has shape [2, 3], expected [3, 2]");
            assertThatThrownBy(() -> file.tensor("model.layers.0.mlp.fc2.weight", 6))
                    .isInstanceOf(ShapeMismatchException.class).hasMessageEndingWith("expected [6]");
            assertThatThrownBy(() -> file.tensor("model.layers.0.mlp.fc2.weight", -1, 4))
                    .isInstanceOf(ShapeMismatchException.class).hasMessageEndingWith("expected [*, 4]");
            assertThat(file.tensor("model.layers.0.mlp.fc2.weight", -1, 3).shape()).isEqualTo(Shape.of(2, 3));
        }
    }

    @Test
    void missingTensorNamesFileAndNearestNames() {
        Path path = new SafetensorsWriter()
                .addFloats("model.layers.0.attn.in_proj.weight", DType.F32, new long[] {1}, 0f)
                .addFloats("model.layers.1.attn.in_proj.weight", DType.F32, new long[] {1}, 0f)
                .addFloats("lm_head.weight", DType.F32, new long[] {1}, 0f)
                .write(dir.resolve("n.safetensors"));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThatThrownBy(() -> file.tensor("model.layers.0.attn.in_proj.wieght"))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageStartingWith(path + ": no tensor 'model.layers.0.attn.in_proj.wieght'")
                    .hasMessageContaining("nearest: 'model.layers.0.attn.in_proj.weight', 'model.layers.1.attn.in_proj.weight'");
        }
    }

    @Test
    void closingUnmapsAndLaterReadsFailCleanly() {
        Path path = new SafetensorsWriter().addFloats("w", DType.F32, new long[] {2}, 1f, 2f)
                .write(dir.resolve("c.safetensors"));
        SafetensorsFile file = SafetensorsFile.open(path);
        Tensor w = file.tensor("w");
        file.close();
        file.close(); // idempotent
        assertThatThrownBy(() -> w.getFloat(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> file.tensor("w")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void unreadableFilesAreModelLoadExceptions() throws IOException {
        assertThatThrownBy(() -> SafetensorsFile.open(dir.resolve("absent.safetensors")))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("absent.safetensors")
                .hasMessageContaining("not found");
        Path directory = Files.createDirectory(dir.resolve("d.safetensors"));
        assertThatThrownBy(() -> SafetensorsFile.open(directory))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("d.safetensors");
        Path empty = Files.createFile(dir.resolve("empty.safetensors"));
        assertThatThrownBy(() -> SafetensorsFile.open(empty))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("too short");
    }
}
