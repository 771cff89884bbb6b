package dev.vstream.memory.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.api.memory.TokenType;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.memory.intake.TestModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryModelTest {
    private static final long NO_LIMIT = Long.MAX_VALUE;

    @TempDir
    Path dir;

    private static MemoryModel load(Path modelDir, StarSizes sizes, long maxStateBytes) {
        return MemoryModel.load(modelDir, sizes, TokenType.F16, CpuKernels.Choice.SCALAR, 1, maxStateBytes);
    }

    @Test
    void aMissingFolderLeavesNoModelAndSaysWhy() {
        assertThat(load(dir.resolve("absent"), TestModels.TINY_STAR, NO_LIMIT)).isInstanceOfSatisfying(
                MemoryModel.Unavailable.class, u -> assertThat(u.reason()).contains("no vision checkpoint").contains("absent"));
        assertThat(load(null, TestModels.TINY_STAR, NO_LIMIT)).isInstanceOf(MemoryModel.Unavailable.class);
    }

    @Test
    void aBrokenCheckpointLeavesNoModel() throws IOException {
        Path broken = Files.createDirectory(dir.resolve("broken"));
        Files.writeString(broken.resolve("config.json"), "{\"model_type\": \"clip_vision_model\"}");
        assertThat(load(broken, TestModels.TINY_STAR, NO_LIMIT)).isInstanceOfSatisfying(MemoryModel.Unavailable.class,
                u -> assertThat(u.reason()).contains("failed to load"));
    }

    @Test
    void theVisionSubfolderIsTheEncoderAndNamesIt() throws IOException {
        Path model = Files.createDirectory(dir.resolve("my-model"));
        copy(TestModels.clipTiny(), Files.createDirectory(model.resolve("vision")));
        MemoryModel loaded = load(model, TestModels.TINY_STAR, NO_LIMIT);
        assertThat(loaded).isInstanceOfSatisfying(MemoryModel.Loaded.class, l -> {
            assertThat(l.encoder().identity().name()).isEqualTo("my-model/vision");
            assertThat(l.encoder().grid()).isEqualTo(4);
            assertThat(l.star().maxTokens()).isEqualTo(46);
            assertThat(l.attentionTrained()).isFalse();
            l.close();
        });
    }

    @Test
    void trainedProjectionsAreReadWhenPresentAndMustFit() throws IOException {
        Path model = Files.createDirectory(dir.resolve("trained"));
        copy(TestModels.clipTiny(), model);
        writeAttention(model.resolve(MemoryModel.ATTENTION_FILE), 8, 64);
        assertThat(load(model, TestModels.TINY_STAR, NO_LIMIT)).isInstanceOfSatisfying(MemoryModel.Loaded.class, l -> {
            assertThat(l.attentionTrained()).isTrue();
            assertThat(l.attention().queryWeight()[5]).isEqualTo(5 * 0.001f);
            l.close();
        });
        writeAttention(model.resolve(MemoryModel.ATTENTION_FILE), 16, 64);
        assertThat(load(model, TestModels.TINY_STAR, NO_LIMIT)).isInstanceOfSatisfying(MemoryModel.Unavailable.class,
                u -> assertThat(u.reason()).contains("64 -> 16").contains("64 -> 8"));
    }

    @Test
    void sizesThatDoNotFitTheEncoderLeaveNoModel() {
        assertThat(load(TestModels.clipTiny(), StarSizes.PAPER, NO_LIMIT)).as("P_spa 8 over a 4x4 grid")
                .isInstanceOfSatisfying(MemoryModel.Unavailable.class, u -> assertThat(u.reason()).contains("pool"));
        assertThat(load(TestModels.clipTiny(), TestModels.TINY_STAR, 1024)).as("state past the store's limit")
                .isInstanceOfSatisfying(MemoryModel.Unavailable.class, u -> assertThat(u.reason())
                        .contains("one buffered frame").contains("spatial-pool"));
    }

    @Test
    void fullStateEstimateBoundsTheRealState() {
        MemoryModel.Loaded l = (MemoryModel.Loaded) load(TestModels.clipTiny(), TestModels.TINY_STAR, NO_LIMIT);
        try {
            var memory = new dev.vstream.memory.star.StarMemory(l.star(), l.attention());
            float[] values = new float[4 * 4 * 64];
            for (int f = 0; f < 12; f++) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) Math.sin(i * 0.1 + f);
                }
                memory.update(new dev.vstream.memory.cluster.FrameFeatures(values, 4, 4, 64, f * 1000L));
            }
            assertThat((long) memory.toBytes().length).isLessThanOrEqualTo(MemoryModel.fullStateBytes(l.star()));
        } finally {
            l.close();
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    /** q_proj.weight and k_proj.weight (dim, channels) F32, value i * 0.001 at flat index i; no biases. */
    private static void writeAttention(Path file, int dim, int channels) throws IOException {
        int n = dim * channels;
        String header = "{\"q_proj.weight\":{\"dtype\":\"F32\",\"shape\":[" + dim + "," + channels + "],\"data_offsets\":[0,"
                + 4 * n + "]},\"k_proj.weight\":{\"dtype\":\"F32\",\"shape\":[" + dim + "," + channels
                + "],\"data_offsets\":[" + 4 * n + "," + 8 * n + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + 8 * n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < n; i++) {
                out.putFloat(i * 0.001f);
            }
        }
        Files.write(file, out.array());
    }
}
