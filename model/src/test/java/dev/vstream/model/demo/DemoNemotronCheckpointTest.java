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
import dev.vstream.model.nemotron.NemotronFlash;
import dev.vstream.model.projector.MlpProjector;
import dev.vstream.model.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoNemotronCheckpointTest {

    @TempDir
    Path temp;

    private static int[] prompt(int length) {
        int[] tokens = new int[length];
        byte[] text = "The camera saw a red car pass the gate, then a dog crossed the yard. ".getBytes(
                StandardCharsets.UTF_8);
        for (int i = 0; i < length; i++) {
            tokens[i] = text[i % text.length] & 0xff;
        }
        return tokens;
    }

    private static boolean allFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void generatedCheckpointLoadsPrefillsDecodesAndEmbeddingsMatchTokens() {
        Path folder = DemoNemotronCheckpoint.ensure(temp.resolve("nemotron"), 64);
        assertThat(DemoNemotronCheckpoint.isDemo(folder)).isTrue();
        assertThat(DemoCheckpoint.isDemo(folder)).isTrue();
        try (ComputePool pool = new ComputePool(1);
                Checkpoint checkpoint = Checkpoint.open(folder);
                Tokenizer tokenizer = Tokenizer.load(folder)) {
            // SCALAR: with the vector kernels the token and embedding prefills differ in the last bits (about
            // 1e-6) between calls, which the exact comparison below would report.
            CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.SCALAR, CpuFeatures.detect(), pool);
            try (MlpProjector projector = MlpProjector.load(folder.resolve(DemoCheckpoint.PROJECTOR_FILE),
                    kernels.gemm())) {
                assertThat(projector.visionSize()).isEqualTo(64);
                assertThat(projector.outputSize()).isEqualTo(DemoNemotronCheckpoint.HIDDEN);
            }
            NemotronFlash model = NemotronFlash.load(checkpoint, kernels);
            assertThat(model.vocabSize()).isEqualTo(ByteLevelTokenizer.VOCAB_SIZE);
            assertThat(model.config().operators()).hasSize(DemoNemotronCheckpoint.OPERATORS);
            assertThat(model.patternLayers()).isEqualTo(2);
            assertThat(model.config().memoryTokens()).isEqualTo(DemoNemotronCheckpoint.MEMORY_TOKENS);
            assertThat(tokenizer.decode(tokenizer.encode("hello <t=1s>", false))).isEqualTo("hello <t=1s>");

            int vocab = model.vocabSize();
            int[] tokens = prompt(300);
            float[] logits = new float[vocab];
            ContextState state = model.newContext();
            model.prefill(state, tokens, logits);
            assertThat(allFinite(logits)).isTrue();
            assertThat(state.position()).isEqualTo(DemoNemotronCheckpoint.MEMORY_TOKENS + tokens.length);
            float spread = 0;
            for (float v : logits) {
                spread = Math.max(spread, Math.abs(v - logits[0]));
            }
            assertThat(spread).as("logits vary across the vocabulary").isGreaterThan(1e-3f);

            // Decode continues: finite, and equal (up to rounding) to prefilling the longer prompt.
            float[] decoded = new float[vocab];
            model.decodeStep(state, 'x', decoded);
            assertThat(allFinite(decoded)).isTrue();
            int[] longer = java.util.Arrays.copyOf(tokens, tokens.length + 1);
            longer[tokens.length] = 'x';
            float[] reference = new float[vocab];
            model.prefill(model.newContext(), longer, reference);
            for (int v = 0; v < vocab; v++) {
                assertThat(decoded[v]).isCloseTo(reference[v], org.assertj.core.data.Offset.offset(1e-3f));
            }

            // The token embeddings as input embeddings prefill exactly like the tokens.
            int d = model.embeddingSize();
            float[] rows = new float[tokens.length * d];
            for (int t = 0; t < tokens.length; t++) {
                model.embed(tokens[t], rows, t * d);
            }
            float[] embedded = new float[vocab];
            model.prefillEmbeddings(model.newContext(), rows, tokens.length,
                    dev.vstream.model.lm.PrefillOptions.DENSE, embedded);
            assertThat(embedded).containsExactly(logits);

            Generator.Result result = new Generator(model).generate(model.newContext(), prompt(40),
                    SamplingParams.greedy(8, Set.of()), (token, index) -> { });
            assertThat(result.tokens()).hasSize(8);
        }
    }

    @Test
    void generationIsDeterministicAndReused() throws Exception {
        Path first = DemoNemotronCheckpoint.ensure(temp.resolve("a"), 32);
        Path second = DemoNemotronCheckpoint.ensure(temp.resolve("b"), 32);
        for (String file : new String[] {"config.json", "model.safetensors", "tokenizer.json",
                DemoCheckpoint.PROJECTOR_FILE, DemoCheckpoint.MARKER}) {
            assertThat(Files.readAllBytes(first.resolve(file))).as(file)
                    .isEqualTo(Files.readAllBytes(second.resolve(file)));
        }
        var written = Files.getLastModifiedTime(first.resolve("model.safetensors"));
        assertThat(DemoNemotronCheckpoint.ensure(first, 32)).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(first.resolve("model.safetensors"))).isEqualTo(written);
        byte[] weights = Files.readAllBytes(first.resolve("model.safetensors"));
        DemoNemotronCheckpoint.ensure(first, 48);
        assertThat(Files.readString(first.resolve(DemoCheckpoint.MARKER))).contains("\"vision_width\": 48");
        assertThat(Files.readAllBytes(first.resolve("model.safetensors"))).isEqualTo(weights);
    }

    @Test
    void leavesForeignFoldersAndTheSambaYDemoAlone() throws Exception {
        Path foreign = Files.createDirectories(temp.resolve("real"));
        Files.writeString(foreign.resolve("config.json"), "{}");
        assertThatThrownBy(() -> DemoNemotronCheckpoint.ensure(foreign, 64)).isInstanceOf(ModelLoadException.class);
        assertThat(Files.readString(foreign.resolve("config.json"))).isEqualTo("{}");
        Path samba = DemoCheckpoint.ensure(temp.resolve("samba"), 16);
        assertThat(DemoNemotronCheckpoint.isDemo(samba)).isFalse();
        assertThatThrownBy(() -> DemoNemotronCheckpoint.ensure(samba, 16)).isInstanceOf(ModelLoadException.class);
    }
}
