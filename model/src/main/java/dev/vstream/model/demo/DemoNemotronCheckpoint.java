package dev.vstream.model.demo;

import dev.vstream.model.loader.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generated, <b>untrained</b> Nemotron-Flash checkpoint in the layout of nvidia/Nemotron-Flash
 * ({@code model_type} {@code nemotron_flash}, read by {@link dev.vstream.model.nemotron.NemotronFlash#load}):
 * {@value #OPERATORS} operators ({@link #LAYER_TYPES}: DeltaNet, Mamba-2, grouped-query attention and SwiGLU FFN),
 * hidden {@value #HIDDEN}, {@value #HEADS} heads / {@value #KV_HEADS} KV heads, {@value #MEMORY_TOKENS} memory
 * tokens, random weights from a fixed seed; the byte-level {@code tokenizer.json} of {@link DemoCheckpoint} and an
 * {@code mlp2x_gelu} projector ({@value DemoCheckpoint#PROJECTOR_FILE}) from the vision width to the hidden size.
 *
 * <p>It exists to time and exercise the hybrid whose attention operators feed every later operator (unlike
 * SambaY's YOCO plan), e.g. dense against sparse context prefill. Scales follow {@link RandomSafetensors}:
 * matrices uniform in {@code ±1/sqrt(fan_in)} behind pre-RMSNorms, norm weights 1; Mamba-2 {@code A_log} =
 * log(1..heads) (A in -1..-8), {@code dt_bias} -4.6 (steps near 0.01), D 1; DeltaNet's convolutions small, its
 * q and k L2-normalised by the mixer and its beta a sigmoid, so the delta-rule state stays bounded over any length.
 *
 * <p>The marker file is {@link DemoCheckpoint}'s ({@value DemoCheckpoint#MARKER}), so
 * {@link DemoCheckpoint#isDemo} (and {@link #isDemo}, which also checks the generator) recognises the folder as
 * untrained; {@link #ensure} reuses a folder whose marker matches, regenerates one whose marker is this
 * generator's with other settings, and leaves any other non-empty folder alone.
 */
public final class DemoNemotronCheckpoint {

    private static final Logger log = LoggerFactory.getLogger(DemoNemotronCheckpoint.class);

    /** Bumped whenever the generated files change. */
    public static final int GENERATOR_VERSION = 1;
    public static final String GENERATOR = "vstream demo nemotron-flash checkpoint";
    public static final long SEED = 20251128L;

    static final int HIDDEN = 128;
    static final int HEADS = 4;
    static final int KV_HEADS = 2;
    static final int MEMORY_TOKENS = 16;
    static final int MAMBA_STATE = 16;
    static final int MAMBA_HEAD_DIM = 32;
    static final int MAMBA_EXPAND = 2;
    static final int FFN_EXPAND = 3;
    static final int CONV = 4;
    static final int OPERATORS = 12;
    /** Two attention operators, two DeltaNet, two Mamba-2, each followed by an FFN. */
    public static final List<String> LAYER_TYPES =
            List.of("deltanet", "f", "m2", "f", "a", "f", "deltanet", "f", "m2", "f", "a", "f");

    private DemoNemotronCheckpoint() {
    }

    /**
     * The demo Nemotron-Flash checkpoint in {@code folder} for visual tokens of {@code visionWidth}, generated on
     * first use.
     *
     * @throws ModelLoadException when the folder holds something that is not this generator's checkpoint, or
     *         cannot be written
     */
    public static Path ensure(Path folder, int visionWidth) {
        if (visionWidth < 1) {
            throw new IllegalArgumentException("vision width must be positive, got " + visionWidth);
        }
        String marker = marker(visionWidth);
        if (DemoFolder.ensure(folder, marker, DemoNemotronCheckpoint::isDemo, "demo Nemotron-Flash checkpoint",
                f -> write(f, visionWidth))) {
            log.info("Generated the demo Nemotron-Flash checkpoint in {}: untrained, {} operators {}, hidden {}, "
                    + "byte-level tokenizer, projector {} -> {}, seed {}", folder, OPERATORS, LAYER_TYPES, HIDDEN,
                    visionWidth, HIDDEN, SEED);
        }
        return folder;
    }

    /** Whether {@code folder} holds a checkpoint of this generator (any version or width). */
    public static boolean isDemo(Path folder) {
        Path markerFile = folder.resolve(DemoCheckpoint.MARKER);
        try {
            return Files.isRegularFile(markerFile) && Files.readString(markerFile).contains("\"" + GENERATOR + "\"");
        } catch (IOException e) {
            return false;
        }
    }

    static String marker(int visionWidth) {
        return "{\"generator\": \"" + GENERATOR + "\", \"version\": " + GENERATOR_VERSION + ", \"seed\": " + SEED
                + ", \"vision_width\": " + visionWidth + ", \"trained\": false}\n";
    }

    private static void write(Path folder, int visionWidth) throws IOException {
        Files.writeString(folder.resolve("config.json"), config());
        DemoFolder.writeTokenizer(folder);
        RandomSafetensors.write(folder.resolve("model.safetensors"), modelTensors(), SEED);
        RandomSafetensors.write(folder.resolve(DemoCheckpoint.PROJECTOR_FILE),
                DemoFolder.projectorTensors(HIDDEN, visionWidth), SEED + 1);
    }

    static String config() {
        String types = String.join(", ", LAYER_TYPES.stream().map(t -> "\"" + t + "\"").toList());
        return """
                {"architectures": ["NemotronFlashForCausalLM"], "model_type": "nemotron_flash",
                 "attention_dropout": 0.0, "attn_hidden_size": -1, "attn_implementation": "fused_mha",
                 "attn_implementation_new": "fused_mha", "bos_token_id": %d, "eos_token_id": %d, "pad_token_id": %d,
                 "d_conv": %d, "dtype": "float32", "ffn_expand_ratio": %d, "global_attn_idx": [],
                 "hidden_act": "silu", "hidden_size": %d, "hybrid_decoder_layer": "mamba", "initializer_range": 0.02,
                 "intermediate_size": 0, "kq_head_dim": -1, "kq_norm": "none", "layer_types": [%s],
                 "mamba2_headdim": %d, "mamba_d_conv": %d, "mamba_d_state": %d, "mamba_expand": %d,
                 "max_position_embeddings": 131072, "mlp_hidden_act": "silu", "num_attention_heads": %d,
                 "num_hidden_layers": %d, "num_key_value_heads": %d, "num_memory_tokens": %d, "rms_norm_eps": 1e-06,
                 "rope": true, "rope_theta": 10000.0, "sliding_window": null, "tie_word_embeddings": false,
                 "v_head_dim": -1, "vocab_size": %d, "vstream_demo": true}
                """.formatted(ByteLevelTokenizer.END_OF_TEXT, ByteLevelTokenizer.END_OF_TEXT, ByteLevelTokenizer.PAD,
                CONV, FFN_EXPAND, HIDDEN, types, MAMBA_HEAD_DIM, CONV, MAMBA_STATE, MAMBA_EXPAND, HEADS, OPERATORS,
                KV_HEADS, MEMORY_TOKENS, ByteLevelTokenizer.VOCAB_SIZE);
    }

    /** Every tensor the Nemotron-Flash loader binds, with the names and shapes of nvidia/Nemotron-Flash. */
    static List<RandomSafetensors.Spec> modelTensors() {
        int d = HIDDEN;
        int headDim = d / HEADS;
        int kv = KV_HEADS * headDim;
        int ffn = FFN_EXPAND * d / 128 * 128;
        int inner = MAMBA_EXPAND * d;
        int mambaHeads = inner / MAMBA_HEAD_DIM;
        int convChannels = inner + 2 * MAMBA_STATE;
        int inProjection = 2 * inner + 2 * MAMBA_STATE + mambaHeads;
        List<RandomSafetensors.Spec> t = new ArrayList<>();
        t.add(spec("model.embed_tokens.weight", RandomSafetensors.Fill.MATRIX, ByteLevelTokenizer.VOCAB_SIZE, d));
        t.add(spec("model.memory_tokens", RandomSafetensors.Fill.MATRIX, MEMORY_TOKENS, d));
        for (int i = 0; i < OPERATORS; i++) {
            String p = "model.layers." + i + ".";
            switch (LAYER_TYPES.get(i)) {
                case "deltanet" -> {
                    String g = p + "gla.";
                    t.add(spec(p + "input_layernorm.weight", RandomSafetensors.Fill.ONES, d));
                    for (String proj : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
                        t.add(spec(g + proj + ".weight", RandomSafetensors.Fill.MATRIX, d, d));
                    }
                    t.add(spec(g + "b_proj.weight", RandomSafetensors.Fill.MATRIX, HEADS, d));
                    for (String conv : List.of("q_conv1d", "k_conv1d", "v_conv1d")) {
                        t.add(spec(g + conv + ".weight", RandomSafetensors.Fill.SMALL, d, 1, CONV));
                    }
                    t.add(spec(g + "o_norm.weight", RandomSafetensors.Fill.ONES, headDim));
                }
                case "m2" -> {
                    String m = p + "mamba.";
                    t.add(spec(p + "input_layernorm.weight", RandomSafetensors.Fill.ONES, d));
                    t.add(spec(m + "in_proj.weight", RandomSafetensors.Fill.MATRIX, inProjection, d));
                    t.add(spec(m + "conv1d.weight", RandomSafetensors.Fill.SMALL, convChannels, 1, CONV));
                    t.add(spec(m + "conv1d.bias", RandomSafetensors.Fill.ZEROS, convChannels));
                    t.add(spec(m + "dt_bias", RandomSafetensors.Fill.STEP_BIAS, mambaHeads));
                    t.add(spec(m + "A_log", RandomSafetensors.Fill.A_LOG, mambaHeads));
                    t.add(spec(m + "D", RandomSafetensors.Fill.ONES, mambaHeads));
                    t.add(spec(m + "norm.weight", RandomSafetensors.Fill.ONES, inner));
                    t.add(spec(m + "out_proj.weight", RandomSafetensors.Fill.MATRIX, d, inner));
                }
                case "a" -> {
                    String a = p + "self_attn.";
                    t.add(spec(p + "input_layernorm.weight", RandomSafetensors.Fill.ONES, d));
                    t.add(spec(a + "q_proj.weight", RandomSafetensors.Fill.MATRIX, d, d));
                    t.add(spec(a + "k_proj.weight", RandomSafetensors.Fill.MATRIX, kv, d));
                    t.add(spec(a + "v_proj.weight", RandomSafetensors.Fill.MATRIX, kv, d));
                    t.add(spec(a + "o_proj.weight", RandomSafetensors.Fill.MATRIX, d, d));
                }
                case "f" -> {
                    t.add(spec(p + "pre_ffn_layernorm.weight", RandomSafetensors.Fill.ONES, d));
                    t.add(spec(p + "ffn.gate_proj.weight", RandomSafetensors.Fill.MATRIX, ffn, d));
                    t.add(spec(p + "ffn.up_proj.weight", RandomSafetensors.Fill.MATRIX, ffn, d));
                    t.add(spec(p + "ffn.down_proj.weight", RandomSafetensors.Fill.MATRIX, d, ffn));
                }
                default -> throw new IllegalStateException("operator " + LAYER_TYPES.get(i));
            }
        }
        t.add(spec("model.final_layernorm.weight", RandomSafetensors.Fill.ONES, d));
        t.add(spec("lm_head.weight", RandomSafetensors.Fill.MATRIX, ByteLevelTokenizer.VOCAB_SIZE, d));
        return t;
    }

    private static RandomSafetensors.Spec spec(String name, RandomSafetensors.Fill fill, long... shape) {
        return DemoFolder.spec(name, fill, shape);
    }
}
