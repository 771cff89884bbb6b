package dev.vstream.model.bench;

import dev.vstream.model.bench.RandomCheckpoint.DType;
import dev.vstream.model.bench.RandomCheckpoint.Fill;
import dev.vstream.model.bench.RandomCheckpoint.Spec;
import java.util.ArrayList;
import java.util.List;

/**
 * config.json and the tensor list of the two real hybrid checkpoints, with the dimensions of
 * /work/shared/notes/hybrid-models.md: Nemotron-Flash-1B (hidden 2048, 24 operators, 16/4
 * heads of 128, Mamba-2 d_state 128 with 64 heads of 64, FFN 6144, 256 memory tokens, vocab
 * 131072, tied head) and Phi-4-mini-flash-reasoning (hidden 2560, 32 layers, 40/20 heads of
 * 64, Mamba-1 d_inner 5120 / d_state 16 / dt_rank 160, MLP 10240, window 512, vocab 200064,
 * tied head). Phi-4-mini-flash may be cut to fewer layers of the same width (a multiple of
 * 4, keeping the YOCO plan); Nemotron-Flash-1B always has its full 24 operators.
 */
final class HybridShapes {

    /** One benchmark model: name, config.json, tensors. */
    record Model(String name, String config, List<Spec> tensors, int layers, int fullLayers) {

        long bytes() {
            return tensors.stream().mapToLong(Spec::bytes).sum();
        }

        /**
         * Weight bytes one decode step reads: every tensor once, the tied embedding as the
         * head (the looked-up row is negligible), except the memory tokens, which are only read
         * at load time.
         */
        long decodeBytes() {
            return tensors.stream().filter(t -> !t.name().equals("model.memory_tokens")).mapToLong(Spec::bytes).sum();
        }

        /**
         * Multiply-adds per prompt position in the layer matrices (2-D tensors other than the
         * embedding); the head runs for the last position only, the attention scores are left
         * out (a few percent at 2048 tokens).
         */
        long matrixParameters() {
            return tensors.stream().filter(t -> t.shape().length == 2 && t.dtype() == DType.BF16)
                    .filter(t -> !t.name().equals("model.embed_tokens.weight") && !t.name().equals("model.memory_tokens"))
                    .mapToLong(Spec::elements).sum();
        }
    }

    static final int NEMOTRON_MEMORY_TOKENS = 256;

    private HybridShapes() {
    }

    static Model nemotronFlash1B() {
        int d = 2048;
        int heads = 16;
        int kvHeads = 4;
        int headDim = d / heads;
        int ffn = 6144;
        int vocab = 131072;
        int inner = 2 * d;
        int state = 128;
        int ssmHeads = inner / 64;
        List<String> types = List.of("deltanet", "f", "m2", "f", "a", "f", "m2", "f", "deltanet", "f", "m2", "f",
                "a", "f", "m2", "f", "deltanet", "f", "m2", "f", "deltanet", "f", "m2", "f");
        List<Spec> t = new ArrayList<>();
        t.add(bf16("model.embed_tokens.weight", Fill.MATRIX, vocab, d));
        t.add(bf16("model.memory_tokens", Fill.SMALL, NEMOTRON_MEMORY_TOKENS, d));
        t.add(bf16("model.final_layernorm.weight", Fill.ONES, d));
        for (int i = 0; i < types.size(); i++) {
            String p = "model.layers." + i + ".";
            switch (types.get(i)) {
                case "deltanet" -> {
                    t.add(bf16(p + "input_layernorm.weight", Fill.ONES, d));
                    for (String proj : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
                        t.add(bf16(p + "gla." + proj + ".weight", Fill.MATRIX, d, d));
                    }
                    t.add(bf16(p + "gla.b_proj.weight", Fill.MATRIX, heads, d));
                    for (String conv : List.of("q_conv1d", "k_conv1d", "v_conv1d")) {
                        t.add(bf16(p + "gla." + conv + ".weight", Fill.SMALL, d, 1, 4));
                    }
                    t.add(bf16(p + "gla.o_norm.weight", Fill.ONES, headDim));
                }
                case "m2" -> {
                    t.add(bf16(p + "input_layernorm.weight", Fill.ONES, d));
                    t.add(bf16(p + "mamba.in_proj.weight", Fill.MATRIX, 2L * inner + 2L * state + ssmHeads, d));
                    t.add(bf16(p + "mamba.conv1d.weight", Fill.SMALL, inner + 2L * state, 1, 4));
                    t.add(bf16(p + "mamba.conv1d.bias", Fill.ZEROS, inner + 2L * state));
                    t.add(bf16(p + "mamba.dt_bias", Fill.STEP_BIAS, ssmHeads));
                    t.add(bf16(p + "mamba.A_log", Fill.A_LOG, ssmHeads));
                    t.add(bf16(p + "mamba.D", Fill.ONES, ssmHeads));
                    t.add(bf16(p + "mamba.norm.weight", Fill.ONES, inner));
                    t.add(bf16(p + "mamba.out_proj.weight", Fill.MATRIX, d, inner));
                }
                case "a" -> {
                    t.add(bf16(p + "input_layernorm.weight", Fill.ONES, d));
                    t.add(bf16(p + "self_attn.q_proj.weight", Fill.MATRIX, d, d));
                    t.add(bf16(p + "self_attn.k_proj.weight", Fill.MATRIX, (long) kvHeads * headDim, d));
                    t.add(bf16(p + "self_attn.v_proj.weight", Fill.MATRIX, (long) kvHeads * headDim, d));
                    t.add(bf16(p + "self_attn.o_proj.weight", Fill.MATRIX, d, d));
                }
                case "f" -> {
                    t.add(bf16(p + "pre_ffn_layernorm.weight", Fill.ONES, d));
                    t.add(bf16(p + "ffn.gate_proj.weight", Fill.MATRIX, ffn, d));
                    t.add(bf16(p + "ffn.up_proj.weight", Fill.MATRIX, ffn, d));
                    t.add(bf16(p + "ffn.down_proj.weight", Fill.MATRIX, d, ffn));
                }
                default -> throw new IllegalStateException(types.get(i));
            }
        }
        String config = """
                {"architectures": ["NemotronFlashForCausalLM"], "model_type": "nemotron_flash",
                 "attention_dropout": 0.0, "attn_hidden_size": -1, "attn_implementation": "fused_mha",
                 "attn_implementation_new": "fused_mha", "bos_token_id": 1, "d_conv": 4, "dtype": "bfloat16",
                 "eos_token_id": 2, "ffn_expand_ratio": 3, "global_attn_idx": [], "hidden_act": "silu",
                 "hidden_size": %d, "hybrid_decoder_layer": "mamba", "intermediate_size": 0, "kq_head_dim": -1,
                 "kq_norm": "none", "layer_types": [%s], "mamba2_headdim": 64, "mamba_d_conv": 4,
                 "mamba_d_state": %d, "mamba_expand": 2, "max_position_embeddings": 29000, "mlp_hidden_act": "silu",
                 "num_attention_heads": %d, "num_hidden_layers": %d, "num_key_value_heads": %d,
                 "num_memory_tokens": %d, "pad_token_id": 0, "rms_norm_eps": 1e-06, "rope": true,
                 "rope_theta": 10000.0, "sliding_window": null, "tie_word_embeddings": true, "v_head_dim": -1,
                 "vocab_size": %d}
                """.formatted(d, String.join(", ", types.stream().map(s -> "\"" + s + "\"").toList()), state, heads,
                types.size(), kvHeads, NEMOTRON_MEMORY_TOKENS, vocab);
        return new Model("Nemotron-Flash-1B", config, t, types.size(), types.size());
    }

    /** Phi-4-mini-flash-reasoning with {@code layers} (a multiple of 4, at most 32) of the real width. */
    static Model phi4MiniFlash(int layers) {
        if (layers < 4 || layers > 32 || layers % 4 != 0) {
            throw new IllegalArgumentException("Phi-4-mini-flash layers must be a multiple of 4 in [4, 32], got " + layers);
        }
        int d = 2560;
        int intermediate = 10240;
        int heads = 40;
        int kvHeads = 20;
        int headDim = d / heads;
        int vocab = 200064;
        int inner = 2 * d;
        int state = 16;
        int dtRank = Math.ceilDiv(d, 16);
        List<Spec> t = new ArrayList<>();
        t.add(bf16("model.embed_tokens.weight", Fill.MATRIX, vocab, d));
        t.add(bf16("model.final_layernorm.weight", Fill.ONES, d));
        t.add(bf16("model.final_layernorm.bias", Fill.ZEROS, d));
        int half = layers / 2;
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            String a = p + "attn.";
            for (String norm : List.of("input_layernorm", "post_attention_layernorm")) {
                t.add(bf16(p + norm + ".weight", Fill.ONES, d));
                t.add(bf16(p + norm + ".bias", Fill.ZEROS, d));
            }
            t.add(bf16(p + "mlp.fc1.weight", Fill.MATRIX, 2L * intermediate, d));
            t.add(bf16(p + "mlp.fc2.weight", Fill.MATRIX, d, intermediate));
            boolean mamba = (i < half && i % 2 == 0) || i == half;
            boolean gmu = i > half + 1 && i % 2 == 0;
            if (mamba) {
                t.add(bf16(a + "in_proj.weight", Fill.MATRIX, 2L * inner, d));
                t.add(bf16(a + "conv1d.weight", Fill.SMALL, inner, 1, 4));
                t.add(bf16(a + "conv1d.bias", Fill.ZEROS, inner));
                t.add(bf16(a + "x_proj.weight", Fill.MATRIX, dtRank + 2L * state, inner));
                t.add(bf16(a + "dt_proj.weight", Fill.MATRIX, inner, dtRank));
                t.add(bf16(a + "dt_proj.bias", Fill.STEP_BIAS, inner));
                t.add(new Spec(a + "A_log", DType.F32, Fill.A_LOG, inner, state));
                t.add(new Spec(a + "D", DType.F32, Fill.ONES, inner));
                t.add(bf16(a + "out_proj.weight", Fill.MATRIX, d, inner));
            } else if (gmu) {
                t.add(bf16(a + "in_proj.weight", Fill.MATRIX, inner, d));
                t.add(bf16(a + "out_proj.weight", Fill.MATRIX, d, inner));
            } else {
                boolean cross = i > half + 1;
                long qkv = cross ? d : d + 2L * kvHeads * headDim;
                t.add(bf16(a + "Wqkv.weight", Fill.MATRIX, qkv, d));
                t.add(bf16(a + "Wqkv.bias", Fill.ZEROS, qkv));
                for (String lambda : List.of("lambda_q1", "lambda_k1", "lambda_q2", "lambda_k2")) {
                    t.add(new Spec(a + "inner_cross_attn." + lambda, DType.F32, Fill.SMALL, headDim));
                }
                t.add(bf16(a + "inner_cross_attn.subln.weight", Fill.ONES, 2L * headDim));
                t.add(bf16(a + "out_proj.weight", Fill.MATRIX, d, d));
                t.add(bf16(a + "out_proj.bias", Fill.ZEROS, d));
            }
        }
        String config = """
                {"architectures": ["Phi4FlashForCausalLM"], "model_type": "phi4flash", "vocab_size": %d,
                 "hidden_size": %d, "intermediate_size": %d, "num_hidden_layers": %d, "num_attention_heads": %d,
                 "num_key_value_heads": %d, "sliding_window": 512, "layer_norm_eps": 1e-05, "hidden_act": "silu",
                 "tie_word_embeddings": true, "max_position_embeddings": 262144, "mamba_d_state": %d,
                 "mamba_d_conv": 4, "mamba_expand": 2, "mamba_dt_rank": "auto", "mamba_conv_bias": true,
                 "mamba_proj_bias": false, "mb_per_layer": 2, "pad_token_id": 0, "bos_token_id": 1,
                 "eos_token_id": 2, "torch_dtype": "bfloat16"}
                """.formatted(vocab, d, intermediate, layers, heads, kvHeads, state);
        return new Model("Phi-4-mini-flash", config, t, layers, 32);
    }

    private static Spec bf16(String name, Fill fill, long... shape) {
        return new Spec(name, DType.BF16, fill, shape);
    }
}
