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
 * The demo checkpoint vstream generates for itself, so the QA service and the local stack run
 * end to end without downloaded weights: a small SambaY language model (the Phi-4-mini-flash
 * layer plan with real Mamba, sliding-window and full differential attention, gated memory and
 * cross-attention layers) with random weights from a fixed seed, a byte-level BPE
 * {@code tokenizer.json} (one token per byte, no merges), and an {@code mlp2x_gelu} projector
 * ({@code mm_projector.safetensors}) from the vision encoder's width to the model's.
 *
 * <p><b>The model is untrained</b>: its answers are well-formed text of random bytes, useful to
 * exercise and time the pipeline, not to read. A marker file ({@value #MARKER}) records the
 * generator version, seed and vision width; {@link #ensure} reuses a folder whose marker
 * matches and regenerates one whose marker differs. A folder without the marker is never
 * touched.
 */
public final class DemoCheckpoint {

    private static final Logger log = LoggerFactory.getLogger(DemoCheckpoint.class);

    /** Bumped whenever the generated files change. */
    public static final int GENERATOR_VERSION = 1;
    public static final String MARKER = "vstream-demo.json";
    public static final String PROJECTOR_FILE = "mm_projector.safetensors";
    public static final long SEED = 20251127L;

    /** The model's sizes: small enough to answer in milliseconds on a laptop CPU. */
    static final int HIDDEN = 128;
    static final int INTERMEDIATE = 384;
    static final int LAYERS = 8;
    static final int HEADS = 4;
    static final int KV_HEADS = 2;
    static final int STATE = 16;
    static final int WINDOW = 128;

    private DemoCheckpoint() {
    }

    /**
     * The demo checkpoint in {@code folder} for visual tokens of {@code visionWidth}, generated
     * on first use.
     *
     * @throws ModelLoadException when the folder holds something that is not a demo checkpoint,
     *         or cannot be written
     */
    public static Path ensure(Path folder, int visionWidth) {
        if (visionWidth < 1) {
            throw new IllegalArgumentException("vision width must be positive, got " + visionWidth);
        }
        String marker = marker(visionWidth);
        if (DemoFolder.ensure(folder, marker, DemoCheckpoint::isDemo, "demo checkpoint", f -> write(f, visionWidth))) {
            log.info("Generated the demo checkpoint in {}: untrained SambaY ({} layers, hidden {}, byte-level "
                    + "tokenizer), projector {} -> {}, seed {}", folder, LAYERS, HIDDEN, visionWidth, HIDDEN, SEED);
        }
        return folder;
    }

    /** Whether {@code folder} holds a demo checkpoint (any version). */
    public static boolean isDemo(Path folder) {
        return Files.isRegularFile(folder.resolve(MARKER));
    }

    static String marker(int visionWidth) {
        return "{\"generator\": \"vstream demo checkpoint\", \"version\": " + GENERATOR_VERSION + ", \"seed\": " + SEED
                + ", \"vision_width\": " + visionWidth + ", \"trained\": false}\n";
    }

    private static void write(Path folder, int visionWidth) throws IOException {
        Files.writeString(folder.resolve("config.json"), config());
        DemoFolder.writeTokenizer(folder);
        RandomSafetensors.write(folder.resolve("model.safetensors"), modelTensors(), SEED);
        RandomSafetensors.write(folder.resolve(PROJECTOR_FILE), DemoFolder.projectorTensors(HIDDEN, visionWidth),
                SEED + 1);
    }

    static String config() {
        return """
                {"architectures": ["Phi4FlashForCausalLM"], "model_type": "phi4flash", "vocab_size": %d,
                 "hidden_size": %d, "intermediate_size": %d, "num_hidden_layers": %d, "num_attention_heads": %d,
                 "num_key_value_heads": %d, "sliding_window": %d, "layer_norm_eps": 1e-05, "hidden_act": "silu",
                 "tie_word_embeddings": true, "max_position_embeddings": 65536, "mamba_d_state": %d,
                 "mamba_d_conv": 4, "mamba_expand": 2, "mamba_dt_rank": "auto", "mamba_conv_bias": true,
                 "mamba_proj_bias": false, "mb_per_layer": 2, "pad_token_id": %d, "bos_token_id": %d,
                 "eos_token_id": %d, "torch_dtype": "float32", "vstream_demo": true}
                """.formatted(ByteLevelTokenizer.VOCAB_SIZE, HIDDEN, INTERMEDIATE, LAYERS, HEADS, KV_HEADS, WINDOW,
                STATE, ByteLevelTokenizer.PAD, ByteLevelTokenizer.END_OF_TEXT, ByteLevelTokenizer.END_OF_TEXT);
    }

    /** Every tensor of the SambaY plan (see {@link dev.vstream.model.sambay.SambaYConfig}): the same names and shapes as Phi-4-mini-flash. */
    static List<RandomSafetensors.Spec> modelTensors() {
        int d = HIDDEN;
        int headDim = d / HEADS;
        int inner = 2 * d;
        int dtRank = Math.ceilDiv(d, 16);
        int half = LAYERS / 2;
        List<RandomSafetensors.Spec> t = new ArrayList<>();
        t.add(spec("model.embed_tokens.weight", RandomSafetensors.Fill.MATRIX, ByteLevelTokenizer.VOCAB_SIZE, d));
        t.add(spec("model.final_layernorm.weight", RandomSafetensors.Fill.ONES, d));
        t.add(spec("model.final_layernorm.bias", RandomSafetensors.Fill.ZEROS, d));
        for (int i = 0; i < LAYERS; i++) {
            String p = "model.layers." + i + ".";
            String a = p + "attn.";
            for (String norm : List.of("input_layernorm", "post_attention_layernorm")) {
                t.add(spec(p + norm + ".weight", RandomSafetensors.Fill.ONES, d));
                t.add(spec(p + norm + ".bias", RandomSafetensors.Fill.ZEROS, d));
            }
            t.add(spec(p + "mlp.fc1.weight", RandomSafetensors.Fill.MATRIX, 2L * INTERMEDIATE, d));
            t.add(spec(p + "mlp.fc2.weight", RandomSafetensors.Fill.MATRIX, d, INTERMEDIATE));
            boolean mamba = (i < half && i % 2 == 0) || i == half;
            boolean gatedMemory = i > half + 1 && i % 2 == 0;
            if (mamba) {
                t.add(spec(a + "in_proj.weight", RandomSafetensors.Fill.MATRIX, 2L * inner, d));
                t.add(spec(a + "conv1d.weight", RandomSafetensors.Fill.SMALL, inner, 1, 4));
                t.add(spec(a + "conv1d.bias", RandomSafetensors.Fill.ZEROS, inner));
                t.add(spec(a + "x_proj.weight", RandomSafetensors.Fill.MATRIX, dtRank + 2L * STATE, inner));
                t.add(spec(a + "dt_proj.weight", RandomSafetensors.Fill.MATRIX, inner, dtRank));
                t.add(spec(a + "dt_proj.bias", RandomSafetensors.Fill.STEP_BIAS, inner));
                t.add(spec(a + "A_log", RandomSafetensors.Fill.A_LOG, inner, STATE));
                t.add(spec(a + "D", RandomSafetensors.Fill.ONES, inner));
                t.add(spec(a + "out_proj.weight", RandomSafetensors.Fill.MATRIX, d, inner));
            } else if (gatedMemory) {
                t.add(spec(a + "in_proj.weight", RandomSafetensors.Fill.MATRIX, inner, d));
                t.add(spec(a + "out_proj.weight", RandomSafetensors.Fill.MATRIX, d, inner));
            } else {
                boolean cross = i > half + 1;
                long qkv = cross ? d : d + 2L * KV_HEADS * headDim;
                t.add(spec(a + "Wqkv.weight", RandomSafetensors.Fill.MATRIX, qkv, d));
                t.add(spec(a + "Wqkv.bias", RandomSafetensors.Fill.ZEROS, qkv));
                for (String lambda : List.of("lambda_q1", "lambda_k1", "lambda_q2", "lambda_k2")) {
                    t.add(spec(a + "inner_cross_attn." + lambda, RandomSafetensors.Fill.SMALL, headDim));
                }
                t.add(spec(a + "inner_cross_attn.subln.weight", RandomSafetensors.Fill.ONES, 2L * headDim));
                t.add(spec(a + "out_proj.weight", RandomSafetensors.Fill.MATRIX, d, d));
                t.add(spec(a + "out_proj.bias", RandomSafetensors.Fill.ZEROS, d));
            }
        }
        return t;
    }

    private static RandomSafetensors.Spec spec(String name, RandomSafetensors.Fill fill, long... shape) {
        return DemoFolder.spec(name, fill, shape);
    }
}
