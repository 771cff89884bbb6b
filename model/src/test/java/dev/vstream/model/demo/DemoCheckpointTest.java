package dev.vstream.model.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.Generator;
import dev.vstream.model.lm.SamplingParams;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelLoadException;
import dev.vstream.model.projector.MlpProjector;
import dev.vstream.model.sambay.SambaYModel;
import dev.vstream.model.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCheckpointTest {

    @TempDir
    Path temp;

    @Test
    void generatedCheckpointLoadsWithTheRealLoadersAndGenerates() throws Exception {
        Path folder = DemoCheckpoint.ensure(temp.resolve("demo"), 64);
        assertThat(DemoCheckpoint.isDemo(folder)).isTrue();
        try (ComputePool pool = new ComputePool(1);
                Checkpoint checkpoint = Checkpoint.open(folder);
                Tokenizer tokenizer = Tokenizer.load(folder);
                MlpProjector projector = MlpProjector.load(folder.resolve(DemoCheckpoint.PROJECTOR_FILE),
                        CpuKernels.select(CpuKernels.Choice.SCALAR, CpuFeatures.detect(), pool).gemm())) {
            CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.SCALAR, CpuFeatures.detect(), pool);
            SambaYModel model = SambaYModel.load(checkpoint, kernels);
            assertThat(model.vocabSize()).isEqualTo(ByteLevelTokenizer.VOCAB_SIZE);
            assertThat(projector.visionSize()).isEqualTo(64);
            assertThat(projector.outputSize()).isEqualTo(model.embeddingSize());

            String text = "Question: what is at <t=12.5s>? Ünïcode ok\n";
            int[] ids = tokenizer.encode(text, false);
            assertThat(ids).hasSize(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            assertThat(ids[0]).isEqualTo('Q');
            assertThat(tokenizer.decode(ids)).isEqualTo(text);
            assertThat(tokenizer.specialTokens().eos()).containsExactly(ByteLevelTokenizer.END_OF_TEXT);

            ContextState state = model.newContext();
            Generator.Result result = new Generator(model).generate(state, ids, SamplingParams.greedy(8, Set.of()),
                    (token, index) -> { });
            assertThat(result.tokens()).hasSize(8);
            assertThat(java.util.Arrays.stream(result.tokens()).allMatch(t -> t >= 0 && t < ByteLevelTokenizer.VOCAB_SIZE)).isTrue();
        }
    }

    @Test
    void reusesAMatchingFolderAndRegeneratesForAnotherWidth() throws Exception {
        Path folder = DemoCheckpoint.ensure(temp.resolve("demo"), 32);
        var written = Files.getLastModifiedTime(folder.resolve("model.safetensors"));
        byte[] weights = Files.readAllBytes(folder.resolve("model.safetensors"));
        assertThat(DemoCheckpoint.ensure(folder, 32)).isEqualTo(folder);
        assertThat(Files.getLastModifiedTime(folder.resolve("model.safetensors"))).isEqualTo(written);
        DemoCheckpoint.ensure(folder, 48);
        assertThat(Files.readString(folder.resolve(DemoCheckpoint.MARKER))).contains("\"vision_width\": 48");
        // Same seed: the same language model weights.
        assertThat(Files.readAllBytes(folder.resolve("model.safetensors"))).isEqualTo(weights);
    }

    @Test
    void leavesForeignFoldersAlone() throws Exception {
        Path foreign = Files.createDirectories(temp.resolve("real"));
        Files.writeString(foreign.resolve("config.json"), "{}");
        assertThatThrownBy(() -> DemoCheckpoint.ensure(foreign, 64)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("not a generated demo checkpoint");
        assertThat(Files.readString(foreign.resolve("config.json"))).isEqualTo("{}");
    }

    @Test
    void everyByteHasItsOwnCharacter() {
        Set<Character> seen = new java.util.HashSet<>();
        for (int b = 0; b < 256; b++) {
            seen.add(ByteLevelTokenizer.byteChar(b));
        }
        assertThat(seen).hasSize(256);
        assertThat(ByteLevelTokenizer.byteChar(' ')).isEqualTo('\u0120');
        assertThat(ByteLevelTokenizer.byteChar('\n')).isEqualTo('\u010a');
    }
}
