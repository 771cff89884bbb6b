package dev.vstream.model.sambay;

import dev.vstream.model.loader.ModelConfig;
import dev.vstream.model.loader.ModelLoadException;

/**
 * Hyper-parameters of a SambaY decoder-hybrid-decoder in the layout of Phi-4-mini-flash
 * ({@code model_type "phi4flash"}), bound by name from config.json. Keys absent from the file
 * take the defaults of the checkpoint's config class ({@code mamba_d_state 16},
 * {@code mamba_d_conv 4}, {@code mamba_expand 2}, {@code mamba_dt_rank "auto"} =
 * ceil(hidden / 16), conv bias on, projection bias off, {@code mb_per_layer 2}).
 *
 * <p>The layer plan is fixed by {@code num_hidden_layers = L} (the YOCO rule): layers
 * {@code 0 .. L/2 - 1} alternate Mamba (even) and sliding-window attention (odd); layer
 * {@code L/2} is the Mamba layer whose scan output is the gated memory; layer {@code L/2 + 1} is
 * the full attention layer whose KV cache the cross-decoder reuses; then gated memory units
 * (even) and cross-attention layers (odd) alternate. Every attention layer is differential.
 *
 * @param vocabSize        rows of the (tied) embedding ({@code vocab_size})
 * @param hiddenSize       d, the residual width ({@code hidden_size})
 * @param intermediateSize width of the SwiGLU MLP ({@code intermediate_size})
 * @param layers           L ({@code num_hidden_layers}), a multiple of 4
 * @param heads            query heads ({@code num_attention_heads}), even: heads pair up
 * @param kvHeads          key-value heads ({@code num_key_value_heads}), even, dividing heads
 * @param slidingWindow    keys a sliding-window query sees, itself included ({@code sliding_window})
 * @param layerNormEps     epsilon of every LayerNorm ({@code layer_norm_eps})
 * @param stateSize        Mamba d_state ({@code mamba_d_state})
 * @param convWidth        Mamba causal conv kernel ({@code mamba_d_conv})
 * @param expand           d_inner / d ({@code mamba_expand})
 * @param dtRank           rank of the step-size projection ({@code mamba_dt_rank})
 * @param convBias         Mamba conv1d has a bias ({@code mamba_conv_bias})
 * @param projectionBias   Mamba in/out projections have biases ({@code mamba_proj_bias})
 */
public record SambaYConfig(int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads,
        int kvHeads, int slidingWindow, double layerNormEps, int stateSize, int convWidth, int expand,
        int dtRank, boolean convBias, boolean projectionBias) {

    /** What each layer of the plan is. */
    public enum LayerKind {
        MAMBA, SLIDING_ATTENTION, MEMORY_MAMBA, FULL_ATTENTION, GATED_MEMORY, CROSS_ATTENTION
    }

    public SambaYConfig {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_attention_heads", heads);
        positive("num_key_value_heads", kvHeads);
        positive("sliding_window", slidingWindow);
        positive("mamba_d_state", stateSize);
        positive("mamba_d_conv", convWidth);
        positive("mamba_expand", expand);
        positive("mamba_dt_rank", dtRank);
        if (layers < 4 || layers % 4 != 0) {
            throw new IllegalArgumentException("num_hidden_layers must be a positive multiple of 4 for the "
                    + "SambaY layer plan, got " + layers);
        }
        if (hiddenSize % heads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + heads);
        }
        if (heads % 2 != 0 || kvHeads % 2 != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("differential attention needs even head counts with "
                    + "num_key_value_heads dividing num_attention_heads, got " + heads + " and " + kvHeads);
        }
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("layer_norm_eps must be positive, got " + layerNormEps);
        }
    }

    /** Binds config.json; wrong or unsupported values fail naming the file and key. */
    public static SambaYConfig from(ModelConfig config) {
        String type = config.getString("model_type", "phi4flash");
        if (!type.equals("phi4flash")) {
            throw new ModelLoadException(config.source() + ": model_type is '" + type + "', expected 'phi4flash'");
        }
        String act = config.getString("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new ModelLoadException(config.source() + ": hidden_act '" + act + "' is not supported (silu only)");
        }
        int mambaPerLayer = config.getInt("mb_per_layer", 2);
        if (mambaPerLayer != 2) {
            throw new ModelLoadException(config.source() + ": mb_per_layer " + mambaPerLayer
                    + " is not supported (the Phi-4-mini-flash plan alternates, 2)");
        }
        int hidden = config.getInt("hidden_size");
        try {
            return new SambaYConfig(config.getInt("vocab_size"), hidden, config.getInt("intermediate_size"),
                    config.getInt("num_hidden_layers"), config.getInt("num_attention_heads"),
                    config.getInt("num_key_value_heads"), config.getInt("sliding_window"),
                    config.getDouble("layer_norm_eps", 1e-5), config.getInt("mamba_d_state", 16),
                    config.getInt("mamba_d_conv", 4), config.getInt("mamba_expand", 2), dtRank(config, hidden),
                    config.getBoolean("mamba_conv_bias", true), config.getBoolean("mamba_proj_bias", false));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(config.source() + ": " + e.getMessage(), e);
        }
    }

    /** {@code mamba_dt_rank}: an integer, or "auto" (the default) for ceil(hidden / 16). */
    private static int dtRank(ModelConfig config, int hidden) {
        if (!config.has("mamba_dt_rank")) {
            return Math.ceilDiv(hidden, 16);
        }
        try {
            return config.getInt("mamba_dt_rank");
        } catch (ModelLoadException notAnInteger) {
            String value = config.getString("mamba_dt_rank");
            if (!value.equals("auto")) {
                throw new ModelLoadException(config.source() + ": mamba_dt_rank is '" + value
                        + "', expected an integer or 'auto'");
            }
            return Math.ceilDiv(hidden, 16);
        }
    }

    /** The kind of layer {@code index} in the fixed plan. */
    public LayerKind kind(int index) {
        if (index < 0 || index >= layers) {
            throw new IndexOutOfBoundsException("layer " + index + " of " + layers);
        }
        int half = layers / 2;
        if (index < half) {
            return index % 2 == 0 ? LayerKind.MAMBA : LayerKind.SLIDING_ATTENTION;
        }
        if (index == half) {
            return LayerKind.MEMORY_MAMBA;
        }
        if (index == half + 1) {
            return LayerKind.FULL_ATTENTION;
        }
        return index % 2 == 0 ? LayerKind.GATED_MEMORY : LayerKind.CROSS_ATTENTION;
    }

    /** The layer whose KV cache the cross-attention layers read. */
    public int sharedKvLayer() {
        return layers / 2 + 1;
    }

    public int headDim() {
        return hiddenSize / heads;
    }

    /** Width of the query projection, heads x headDim. */
    public int queryDim() {
        return heads * headDim();
    }

    /** Width of the key (and of the value) projection, kvHeads x headDim. */
    public int kvDim() {
        return kvHeads * headDim();
    }

    /** Mamba d_inner = expand x d, also the width of the gated memory. */
    public int innerSize() {
        return expand * hiddenSize;
    }

    /** Identifies contexts made for this layout. */
    String layout() {
        return "phi4flash L" + layers + " d" + hiddenSize + " h" + heads + "/" + kvHeads + " w" + slidingWindow
                + " mamba " + innerSize() + "x" + stateSize + " conv " + convWidth;
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }
}
