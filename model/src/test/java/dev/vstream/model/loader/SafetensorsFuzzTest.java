package dev.vstream.model.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random mutations, truncations and grammar-generated near-headers must only ever end in a
 * {@link ModelLoadException}: never another exception, an out-of-bounds read, an OOM or a hang.
 * Inputs that parse are then read in full, which checks that every accepted range is real.
 *
 * <p>The seed changes every run and is printed and put in every failure message; rerun a failure
 * with {@code -Dvstream.fuzz.seed=<seed>}.
 */
class SafetensorsFuzzTest {

    private static final long SEED = Long.getLong("vstream.fuzz.seed", System.nanoTime());
    /** Multiplies every iteration count, for a longer campaign: {@code -Dvstream.fuzz.scale=50}. */
    private static final int SCALE = Integer.getInteger("vstream.fuzz.scale", 1);
    private static final int MUTATED = 20_000 * SCALE;
    private static final int GENERATED = 10_000 * SCALE;
    private static final int MAPPED_FILES = 300 * SCALE;
    private static final int CONFIGS = 5_000 * SCALE;
    private static final String SOURCE = "fuzz.safetensors";

    @TempDir
    Path dir;

    /** Counts outcomes; rejection messages with names and numbers masked give the "kinds". */
    private static final class Outcome {
        int accepted;
        int rejected;
        final Set<String> kinds = new HashSet<>();

        void reject(ModelLoadException e) {
            rejected++;
            kinds.add(e.getMessage().replaceAll("'[^']*'", "'_'").replaceAll("[0-9]+", "N")
                    .replaceAll("U\\+[0-9A-F]{4}", "U+_").replaceAll("found .*? at", "found _ at"));
        }

        String summary(String name, int inputs) {
            return "fuzz[" + name + "] seed=" + SEED + ": " + inputs + " inputs, " + accepted + " accepted, "
                    + rejected + " rejected with ModelLoadException (" + kinds.size() + " distinct messages), 0 other outcomes";
        }
    }

    private static List<byte[]> corpus() {
        return List.of(
                new SafetensorsWriter().metadata("format", "pt")
                        .addFloats("model.embed_tokens.weight", DType.BF16, new long[] {4, 3}, new float[12])
                        .addFloats("model.norm.weight", DType.F32, new long[] {3}, 1, 2, 3)
                        .toBytes(),
                new SafetensorsWriter().unpadded()
                        .addFloats("h", DType.F16, new long[] {2, 1, 2}, 1, 2, 3, 4)
                        .add("i", "I64", new long[] {1}, new byte[8])
                        .addFloats("s", DType.F32, new long[] {}, 5)
                        .addFloats("e", DType.F32, new long[] {0})
                        .toBytes(),
                new SafetensorsWriter().metadata("k\u00e9y", "v\\\"al\nue")
                        .addFloats("na\u00efve.\ud83d\ude00", DType.F32, new long[] {1, 1}, 7)
                        .add("fp4", "F4", new long[] {2, 2}, new byte[2])
                        .toBytes(),
                SafetensorsWriter.file("{}", new byte[0]));
    }

    private static long iterationSeed(int iteration) {
        return SEED * 0x9E3779B97F4A7C15L + iteration;
    }

    /** Parses; on success reads every tensor it can. Any non-ModelLoadException fails the test. */
    private static void check(String what, int iteration, byte[] input, Outcome outcome) {
        try {
            SafetensorsHeader header = SafetensorsHeader.parse(SOURCE, MemorySegment.ofArray(input));
            MemorySegment file = MemorySegment.ofArray(input);
            for (TensorInfo info : header.tensors().values()) {
                assertThat(header.dataStart() + info.end()).isLessThanOrEqualTo(input.length);
                MemorySegment bytes = file.asSlice(header.dataStart() + info.begin(), info.byteSize());
                info.dtype().tensorType().ifPresent(type -> readAll(new Tensor(info.shape(), type, bytes)));
            }
            outcome.accepted++;
        } catch (ModelLoadException e) {
            outcome.reject(e);
        } catch (Throwable t) {
            fail(what + " input " + iteration + " with -Dvstream.fuzz.seed=" + SEED + " threw " + t
                    + "\ninput: " + HexFormat.of().formatHex(input, 0, Math.min(input.length, 2048)), t);
        }
    }

    private static void readAll(Tensor tensor) {
        if (tensor.elementCount() <= 1 << 16) {
            tensor.toFloatArray();
        } else {
            tensor.getFloat(0);
            tensor.getFloat(tensor.elementCount() - 1);
        }
    }

    @Test
    void mutatedFilesOnlyEverFailWithModelLoadException() {
        Outcome outcome = new Outcome();
        List<byte[]> corpus = corpus();
        assertTimeoutPreemptively(Duration.ofMinutes(3L * SCALE), () -> {
            for (int i = 0; i < MUTATED; i++) {
                Random random = new Random(iterationSeed(i));
                byte[] input = FuzzMutations.mutate(random, corpus.get(random.nextInt(corpus.size())));
                check("mutated", i, input, outcome);
            }
        }, () -> "mutation fuzz did not finish in time; seed " + SEED);
        System.out.println(outcome.summary("mutated", MUTATED));
        assertThat(outcome.accepted + outcome.rejected).isEqualTo(MUTATED);
        assertThat(outcome.rejected).as("seed %d", SEED).isPositive();
        assertThat(outcome.accepted).as("seed %d", SEED).isPositive();
    }

    @Test
    void generatedHeadersOnlyEverFailWithModelLoadException() {
        Outcome outcome = new Outcome();
        assertTimeoutPreemptively(Duration.ofMinutes(3L * SCALE), () -> {
            for (int i = 0; i < GENERATED; i++) {
                Random random = new Random(iterationSeed(i) ^ 0x5EED);
                check("generated", i, FuzzMutations.generatedFile(random), outcome);
            }
        }, () -> "generated-header fuzz did not finish in time; seed " + SEED);
        System.out.println(outcome.summary("generated", GENERATED));
        assertThat(outcome.accepted).as("the generator must also produce valid headers; seed %d", SEED)
                .isGreaterThan(GENERATED / 50);
        assertThat(outcome.rejected).as("seed %d", SEED).isGreaterThan(GENERATED / 2);
    }

    @Test
    void mappedFilesOnlyEverFailWithModelLoadException() {
        Outcome outcome = new Outcome();
        List<byte[]> corpus = corpus();
        assertTimeoutPreemptively(Duration.ofMinutes(3L * SCALE), () -> {
            for (int i = 0; i < MAPPED_FILES; i++) {
                Random random = new Random(iterationSeed(i) ^ 0xF11E);
                byte[] input = random.nextBoolean()
                        ? FuzzMutations.mutate(random, corpus.get(random.nextInt(corpus.size())))
                        : FuzzMutations.generatedFile(random);
                Path path = Files.write(dir.resolve("f" + i + ".safetensors"), input);
                try (SafetensorsFile file = SafetensorsFile.open(path)) {
                    for (String name : file.names()) {
                        if (file.info(name).dtype().tensorType().isPresent()) {
                            readAll(file.tensor(name));
                        }
                    }
                    outcome.accepted++;
                } catch (ModelLoadException e) {
                    assertThat(e.getMessage()).startsWith(path.toString());
                    outcome.reject(e);
                } catch (Throwable t) {
                    fail("mapped file " + i + " with -Dvstream.fuzz.seed=" + SEED + " threw " + t, t);
                }
                Files.delete(path);
            }
        }, () -> "mapped-file fuzz did not finish in time; seed " + SEED);
        System.out.println(outcome.summary("mapped", MAPPED_FILES));
        assertThat(outcome.accepted + outcome.rejected).isEqualTo(MAPPED_FILES);
    }

    @Test
    void mutatedConfigsOnlyEverFailWithModelLoadException() {
        String base = """
                {"architectures": ["NemotronFlashForCausalLM"], "hidden_size": 3072, "rms_norm_eps": 1e-06,
                 "layer_types": ["deltanet", "f", "m2", "f", "a"], "global_attn_idx": [], "tie_word_embeddings": true,
                 "rope_scaling": null, "vision_config": {"patch_size": 14, "mean": [0.5, -1.25e+2]}, "name": "caf\\u00e9"}
                """;
        Outcome outcome = new Outcome();
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), () -> {
            for (int i = 0; i < CONFIGS; i++) {
                Random random = new Random(iterationSeed(i) ^ 0xC0F1);
                String text = FuzzMutations.mutateText(random, base);
                try {
                    ModelConfig config = ModelConfig.parse(text, "fuzz-config.json");
                    FuzzMutations.exerciseConfig(config);
                    outcome.accepted++;
                } catch (ModelLoadException e) {
                    outcome.reject(e);
                } catch (Throwable t) {
                    fail("config " + i + " with -Dvstream.fuzz.seed=" + SEED + " threw " + t + "\ninput: " + text, t);
                }
            }
        }, () -> "config fuzz did not finish in time; seed " + SEED);
        System.out.println(outcome.summary("config", CONFIGS));
        assertThat(outcome.accepted + outcome.rejected).isEqualTo(CONFIGS);
    }
}
