package dev.vstream.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.model.lm.Generator;
import dev.vstream.model.lm.LanguageModel;
import dev.vstream.model.lm.SamplingParams;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.nemotron.NemotronFlash;
import dev.vstream.model.sambay.SambaYModel;
import dev.vstream.model.tokenizer.Tokenizer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the CLI in-process on the tiny SambaY and Nemotron-Flash test checkpoints and checks
 * that the printed numbers are exactly the model's own (same kernels, same thread count: the
 * kernels are deterministic for a given pool size).
 */
class ModelCliTest {

    private static final String THREADS = "2";
    private static final ComputePool POOL = new ComputePool(Integer.parseInt(THREADS));
    private static final CpuKernels KERNELS = CpuKernels.select(CpuKernels.Choice.AUTO, CpuFeatures.detect(), POOL);
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?(E-?\\d+)?");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static Path resource(String relative) {
        try {
            return Path.of(ModelCliTest.class.getResource("/" + relative).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource " + relative + " is missing", e);
        }
    }

    private static LanguageModel load(String checkpointName, Checkpoint checkpoint) {
        return checkpointName.startsWith("sambay") ? SambaYModel.load(checkpoint, KERNELS)
                : NemotronFlash.load(checkpoint, KERNELS);
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return ModelCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sambay/sambay_tiny", "nemotron/flash_tiny"})
    void lastPositionLogitsAreTheModels(String name) {
        int[] ids = {1, 17, 42, 200, 5, 99};
        assertThat(run("logits", resource(name).toString(), "--ids", "1,17,42,200,5,99", "--threads", THREADS))
                .as(stderr()).isZero();
        String json = stdout();
        float[] expected = new float[256];
        try (Checkpoint checkpoint = Checkpoint.open(resource(name))) {
            LanguageModel model = load(name, checkpoint);
            model.prefill(model.newContext(), ids, expected);
        }
        assertThat(json).contains("\"vocab\": 256", "\"ids\": [1, 17, 42, 200, 5, 99]", "\"positions\": [5]",
                name.startsWith("sambay") ? "\"model_type\": \"phi4flash\"" : "\"model_type\": \"nemotron_flash\"");
        float[] printed = floats(section(json, "logits", "top5"));
        assertSameLogits(printed, expected);
        // The top five are those of the printed logits, each printed with its logit.
        int[] top = LogitsVerb.top(printed, 0, 256, 5);
        Matcher entry = Pattern.compile("\\{\"id\": (\\d+), \"logit\": ([^}]+)}").matcher(section(json, "top5", null));
        for (int k = 0; k < 5; k++) {
            assertThat(entry.find()).isTrue();
            assertThat(Integer.parseInt(entry.group(1))).isEqualTo(top[k]);
            assertThat(Float.parseFloat(entry.group(2))).isEqualTo(printed[top[k]]);
            if (k > 0) {
                assertThat(printed[top[k]]).isLessThanOrEqualTo(printed[top[k - 1]]);
            }
        }
        assertThat(entry.find()).isFalse();
        assertThat(Arrays.stream(top).boxed().toList()).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sambay/sambay_tiny", "nemotron/flash_tiny"})
    void allPositionLogitsAreTheModels(String name) {
        int[] ids = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
        assertThat(run("logits", resource(name).toString(), "--ids", "3,1,4,1,5,9,2,6,5,3,5", "--all-positions",
                "--threads", THREADS)).as(stderr()).isZero();
        float[] expected = new float[ids.length * 256];
        try (Checkpoint checkpoint = Checkpoint.open(resource(name))) {
            LanguageModel model = load(name, checkpoint);
            model.prefill(model.newContext(), ids, LanguageModel.Logits.ALL_POSITIONS, expected);
        }
        String json = stdout();
        assertThat(json).contains("\"positions\": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]");
        assertSameLogits(floats(section(json, "logits", "top5")), expected);
    }

    /**
     * The CLI's logits are the model's: the same computation in the same JVM, equal up to the last bits the vector
     * kernels' reductions may round differently once the JIT has compiled them (1e-5 of the largest logit).
     */
    private static void assertSameLogits(float[] printed, float[] expected) {
        assertThat(printed).hasSameSizeAs(expected);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) printed[i]).as("logit %d", i)
                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5 * scale));
        }
    }

    @Test
    void topIsSortedWithTiesByLowerIndex() {
        float[] values = {1, 5, 3, 5, -2, 4, 5};
        assertThat(LogitsVerb.top(values, 0, values.length, 5)).containsExactly(1, 3, 6, 5, 2);
        assertThat(LogitsVerb.top(values, 4, 3, 5)).containsExactly(2, 1, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sambay/sambay_tiny", "nemotron/flash_tiny"})
    void generateStreamsTheGeneratorsTokens(String name) {
        int[] prompt = {1, 10, 20, 30};
        for (String[] sampling : List.of(new String[] {"--temperature", "0"},
                new String[] {"--temperature", "0.8", "--top-p", "0.9", "--seed", "7"})) {
            List<String> args = new ArrayList<>(List.of("generate", resource(name).toString(), "--ids", "1,10,20,30",
                    "--max-tokens", "12", "--threads", THREADS));
            args.addAll(List.of(sampling));
            assertThat(run(args.toArray(String[]::new))).as(stderr()).isZero();
            double temperature = Double.parseDouble(sampling[1]);
            SamplingParams params = temperature == 0 ? new SamplingParams(0, 1, 12, Set.of(2), 0)
                    : new SamplingParams(0.8, 0.9, 12, Set.of(2), 7);
            Generator.Result expected;
            try (Checkpoint checkpoint = Checkpoint.open(resource(name))) {
                LanguageModel model = load(name, checkpoint);
                expected = new Generator(model).generate(model.newContext(), prompt, params, (t, i) -> { });
            }
            String[] lines = stdout().strip().split("\n");
            int[] generated = expected.tokens();
            assertThat(lines).hasSize(generated.length + 1);
            for (int i = 0; i < generated.length; i++) {
                assertThat(lines[i]).isEqualTo("{\"index\": " + i + ", \"id\": " + generated[i] + "}");
            }
            String summary = lines[generated.length];
            assertThat(summary).contains("\"prompt_ids\": [1, 10, 20, 30]",
                    "\"ids\": " + Arrays.toString(generated), "\"stop_reason\": \"" + expected.reason() + "\"");
        }
    }

    @Test
    void generateFromAPromptUsesTheTokenizer(@TempDir Path dir) throws IOException {
        Path checkpoint = resource("sambay/sambay_tiny");
        for (String file : List.of("config.json", "model.safetensors")) {
            Files.copy(checkpoint.resolve(file), dir.resolve(file));
        }
        Files.copy(resource("tokenizer/tiny_bpe/tokenizer.json"), dir.resolve("tokenizer.json"));
        assertThat(run("generate", dir.toString(), "--prompt", "hello world", "--max-tokens", "6", "--threads", THREADS))
                .as(stderr()).isZero();
        String[] lines = stdout().strip().split("\n");
        Generator.Result expected;
        String expectedText;
        try (Checkpoint opened = Checkpoint.open(dir); Tokenizer tokenizer = Tokenizer.load(dir)) {
            LanguageModel model = SambaYModel.load(opened, KERNELS);
            int[] prompt = tokenizer.encode("hello world");
            assertThat(prompt).containsExactly(1, 16, 21);
            expected = new Generator(model).generate(model.newContext(), prompt,
                    new SamplingParams(0, 1, 6, Set.of(2), 0), (t, i) -> { });
            expectedText = tokenizer.decode(expected.tokens(), true);
        }
        String summary = lines[lines.length - 1];
        assertThat(summary).contains("\"prompt_ids\": [1, 16, 21]", "\"ids\": " + Arrays.toString(expected.tokens()));
        assertThat(summary).contains("\"text\": \"" + expectedText.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        StringBuilder streamed = new StringBuilder();
        for (int i = 0; i < lines.length - 1; i++) {
            Matcher m = Pattern.compile("\"text\": \"(.*)\"}").matcher(lines[i]);
            assertThat(m.find()).as(lines[i]).isTrue();
            streamed.append(m.group(1));
        }
        assertThat(streamed.toString()).isEqualTo(expectedText.replace("\\", "\\\\").replace("\"", "\\\""));
    }

    @Test
    void featuresDelegatesToTheVisionMain(@TempDir Path dir) throws IOException {
        BufferedImage png = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                png.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | (x + y) * 3);
            }
        }
        Path image = dir.resolve("frame.png");
        ImageIO.write(png, "png", image.toFile());
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = run("features", resource("vision/clip_tiny").toString(), image.toString());
        } finally {
            System.setOut(original);
        }
        assertThat(status).as(stderr()).isZero();
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("\"family\": \"CLIP\"", "\"tokens\": 16",
                "\"features\": [[");
        assertThat(run("features", resource("vision/clip_tiny").toString(), dir.resolve("none.png").toString()))
                .isEqualTo(2);
        assertThat(stderr()).contains("no such image file");
    }

    @Test
    void badUsageExitsWithTwoAndAMessage(@TempDir Path dir) throws IOException {
        String sambay = resource("sambay/sambay_tiny").toString();
        assertThat(run()).isEqualTo(2);
        assertThat(stderr()).contains("usage:");
        assertThat(run("explain", sambay)).isEqualTo(2);
        assertThat(stderr()).contains("unknown verb 'explain'");
        assertThat(run("logits", dir.resolve("absent").toString(), "--ids", "1")).isEqualTo(2);
        assertThat(stderr()).contains("absent: no such checkpoint folder");
        assertThat(run("logits", sambay)).isEqualTo(2);
        assertThat(stderr()).contains("logits needs --ids");
        assertThat(run("logits", sambay, "--ids", "1,x")).isEqualTo(2);
        assertThat(stderr()).contains("comma-separated token ids");
        assertThat(run("logits", sambay, "--ids", "1,256")).isEqualTo(2);
        assertThat(stderr()).contains("token id 256 is outside the vocabulary of 256");
        assertThat(run("logits", sambay, "--ids", "1", "--frobnicate")).isEqualTo(2);
        assertThat(stderr()).contains("unknown option --frobnicate");
        assertThat(run("generate", sambay, "--prompt", "hello")).isEqualTo(2);
        assertThat(stderr()).contains("--prompt needs a tokenizer.json");
        assertThat(run("generate", sambay, "--ids", "1", "--prompt", "hello")).isEqualTo(2);
        assertThat(stderr()).contains("exactly one of --ids and --prompt");
        assertThat(run("generate", sambay, "--ids", "1", "--temperature", "-1")).isEqualTo(2);
        assertThat(stderr()).contains("temperature");
        assertThat(run("generate", sambay, "--ids", "1", "--max-tokens", "0")).isEqualTo(2);
        assertThat(stderr()).contains("--max-tokens must be at least 1");

        Files.copy(Path.of(sambay, "model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), Files.readString(Path.of(sambay, "config.json"))
                .replace("\"phi4flash\"", "\"llama\""));
        assertThat(run("logits", dir.toString(), "--ids", "1")).isEqualTo(2);
        assertThat(stderr()).contains("model_type 'llama'", "config.json");
    }

    @Test
    void aBrokenCheckpointExitsWithOne(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"phi4flash\"");
        assertThat(run("logits", dir.toString(), "--ids", "1")).isEqualTo(1);
        assertThat(stderr()).contains("config.json");
    }

    /** The text of {@code "key": ...} up to {@code "next"} (or the end). */
    private static String section(String json, String key, String next) {
        int from = json.indexOf("\"" + key + "\"");
        int to = next == null ? json.length() : json.indexOf("\"" + next + "\"");
        assertThat(from).isNotNegative();
        assertThat(to).isGreaterThan(from);
        return json.substring(from, to);
    }

    private static float[] floats(String text) {
        Matcher m = NUMBER.matcher(text.substring(text.indexOf(':') + 1));
        List<Float> values = new ArrayList<>();
        while (m.find()) {
            values.add(Float.parseFloat(m.group()));
        }
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
