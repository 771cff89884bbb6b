package dev.vstream.model.nemotron;

import dev.vstream.model.loader.ModelConfig;
import dev.vstream.model.loader.ModelLoadException;
import java.util.ArrayList;
import java.util.List;

/**
 * Hyper-parameters of a Nemotron-Flash checkpoint, bound by name from its config.json. Missing
 * keys take the defaults of the reference {@code NemotronFlashConfig} (and of the DeltaNet and
 * Mamba2 modules it builds); values the reference supports but this implementation does not
 * (dynamic NTK RoPE, separate attention widths, the relu2 FFN, sliding windows outside
 * fused_mha) are rejected by name rather than silently computed differently.
 *
 * @param hiddenSize       residual width ({@code hidden_size})
 * @param vocabSize        embedding and head rows ({@code vocab_size})
 * @param operators        one entry per operator ({@code layer_types})
 * @param attentionHeads   query heads of attention, also the DeltaNet heads ({@code num_attention_heads})
 * @param keyValueHeads    KV heads of attention ({@code num_key_value_heads})
 * @param ffnSize          FFN width of the {@code f} layers: {@code int(ffn_expand_ratio * hidden) // 128 * 128}
 * @param rmsNormEps       eps of every operator's pre-norm and the final norm ({@code rms_norm_eps})
 * @param memoryTokens     learned tokens prepended on the first forward ({@code num_memory_tokens})
 * @param mambaStateSize   Mamba-2 d_state ({@code mamba_d_state})
 * @param mambaConvWidth   Mamba-2 causal conv kernel ({@code mamba_d_conv})
 * @param mambaInnerSize   Mamba-2 d_inner = {@code mamba_expand * hidden_size}
 * @param mambaHeadDim     Mamba-2 head width ({@code mamba2_headdim})
 * @param rope             whether attention applies RoPE ({@code rope})
 * @param ropeBase         the base RoPE uses: {@code rope_theta}, NTK-scaled when {@code rope_type}
 *                         is {@code ntk} (see {@link #ntkBase})
 * @param queryKeyNorm     per-head RMSNorm of queries and keys before RoPE ({@code kq_norm = "rms"})
 */
public record NemotronFlashConfig(int hiddenSize, int vocabSize, List<OperatorType> operators, int attentionHeads,
        int keyValueHeads, int ffnSize, double rmsNormEps, int memoryTokens, int mambaStateSize, int mambaConvWidth,
        int mambaInnerSize, int mambaHeadDim, boolean rope, double ropeBase, boolean queryKeyNorm) {

    /** Kernel of DeltaNet's short convolutions: the FLA layer's default, which the reference does not override. */
    public static final int DELTANET_CONV_WIDTH = 4;
    /** eps of DeltaNet's per-head output RMSNorm (FLA RMSNorm default). */
    public static final float DELTANET_NORM_EPS = 1e-5f;
    /** eps of Mamba-2's gated RMSNorm (mamba_ssm, as the reference builds it). */
    public static final float MAMBA_NORM_EPS = 1e-5f;
    /** eps of the q/k RMSNorm: the reference builds it with its RMSNorm default, not rms_norm_eps. */
    public static final float QUERY_KEY_NORM_EPS = 1e-6f;
    /** The reference's fixed NTK scaling factor. */
    private static final double NTK_FACTOR = 2;

    public NemotronFlashConfig {
        operators = List.copyOf(operators);
        requirePositive("hidden_size", hiddenSize);
        requirePositive("vocab_size", vocabSize);
        requirePositive("num_attention_heads", attentionHeads);
        requirePositive("num_key_value_heads", keyValueHeads);
        requirePositive("mamba_d_state", mambaStateSize);
        requirePositive("mamba_d_conv", mambaConvWidth);
        requirePositive("mamba2_headdim", mambaHeadDim);
        if (operators.isEmpty()) {
            throw new IllegalArgumentException("layer_types is empty");
        }
        if (hiddenSize % attentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads "
                    + attentionHeads);
        }
        if (attentionHeads % keyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + attentionHeads
                    + " is not a multiple of num_key_value_heads " + keyValueHeads);
        }
        if (operators.contains(OperatorType.FFN)) {
            requirePositive("FFN width (from ffn_expand_ratio)", ffnSize);
        }
        if (operators.contains(OperatorType.MAMBA2) && (mambaInnerSize <= 0 || mambaInnerSize % mambaHeadDim != 0)) {
            throw new IllegalArgumentException("Mamba-2 d_inner " + mambaInnerSize + " (mamba_expand * hidden_size) is not"
                    + " a positive multiple of mamba2_headdim " + mambaHeadDim);
        }
        if (memoryTokens < 0) {
            throw new IllegalArgumentException("num_memory_tokens must not be negative, got " + memoryTokens);
        }
        if (!(rmsNormEps > 0) || !Double.isFinite(rmsNormEps)) {
            throw new IllegalArgumentException("rms_norm_eps must be positive, got " + rmsNormEps);
        }
        if (rope && (!(ropeBase > 0) || !Double.isFinite(ropeBase))) {
            throw new IllegalArgumentException("RoPE base must be positive, got " + ropeBase);
        }
    }

    /** Binds the config; every error names the file and the key. */
    public static NemotronFlashConfig from(ModelConfig config) {
        String source = config.source();
        String kqNorm = config.getString("kq_norm", "none");
        if (!kqNorm.equals("none") && !kqNorm.equals("rms")) {
            throw new ModelLoadException(source + ": key 'kq_norm' = '" + kqNorm + "': expected 'none' or 'rms'");
        }
        requireValue(config, "mlp_hidden_act", "silu", "only the SwiGLU FFN ('silu') is supported");
        String ropeType = config.getString("rope_type", "default");
        if (!ropeType.equals("default") && !ropeType.equals("ntk")) {
            throw new ModelLoadException(source + ": key 'rope_type' = '" + ropeType
                    + "': only default and ntk RoPE are supported");
        }
        for (String key : List.of("attn_hidden_size", "kq_head_dim", "v_head_dim")) {
            if (config.getInt(key, -1) > 0) {
                throw new ModelLoadException(source + ": key '" + key + "' = " + config.getInt(key)
                        + ": attention widths other than hidden_size / num_attention_heads are not supported");
            }
        }
        if (config.has("sliding_window") && !"fused_mha".equals(config.getString("attn_implementation_new", ""))) {
            throw new ModelLoadException(source + ": key 'sliding_window' is set, but sliding-window attention is"
                    + " not supported (the reference's fused_mha ignores it; other implementations do not)");
        }
        // The reference gives every mixer layer its own FFN when intermediate_size > 0 (its class
        // default is 14336); the released configs set 0 and put each FFN in its own 'f' layer.
        if (config.getInt("intermediate_size", 14336) > 0) {
            throw new ModelLoadException(source + ": key 'intermediate_size' = " + config.getInt("intermediate_size", 14336)
                    + (config.has("intermediate_size") ? "" : " (the reference's default)")
                    + ": mixer layers with their own FFN are not supported; expected 0 with separate 'f' layers");
        }
        List<OperatorType> operators = new ArrayList<>();
        List<String> codes = config.getStringList("layer_types");
        for (int i = 0; i < codes.size(); i++) {
            String code = codes.get(i);
            operators.add(OperatorType.byCode(code).orElseThrow(() -> new ModelLoadException(source
                    + ": key 'layer_types' has unsupported operator '" + code + "' (expected deltanet, m2, a or f)")));
        }
        if (config.has("num_hidden_layers") && config.getInt("num_hidden_layers") != operators.size()) {
            throw new ModelLoadException(source + ": key 'num_hidden_layers' = " + config.getInt("num_hidden_layers")
                    + " but layer_types lists " + operators.size() + " operators");
        }
        int hidden = config.getInt("hidden_size");
        int ffn = config.has("ffn_expand_ratio") ? (int) (config.getDouble("ffn_expand_ratio") * hidden) / 128 * 128 : 0;
        int heads = config.getInt("num_attention_heads");
        double theta = config.getDouble("rope_theta", 10000.0);
        double base = theta;
        if (ropeType.equals("ntk") && config.getBoolean("rope", false)) {
            if (!config.has("orig_max_position_embeddings")) {
                throw new ModelLoadException(source + ": key 'orig_max_position_embeddings' is missing (ntk RoPE needs it)");
            }
            base = ntkBase(theta, config.getLong("max_position_embeddings", 262144),
                    config.getLong("orig_max_position_embeddings"), hidden / heads);
        }
        try {
            return new NemotronFlashConfig(hidden, config.getInt("vocab_size"), operators, heads,
                    config.getInt("num_key_value_heads", heads), ffn, config.getDouble("rms_norm_eps", 1e-6),
                    config.getInt("num_memory_tokens", 0), config.getInt("mamba_d_state", 16),
                    config.getInt("mamba_d_conv", 4), config.getInt("mamba_expand", 2) * hidden,
                    config.getInt("mamba2_headdim", 64), config.getBoolean("rope", false), base,
                    kqNorm.equals("rms"));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(source + ": " + e.getMessage(), e);
        }
    }

    /**
     * The reference's static NTK-aware base: {@code theta * (f * max / orig - (f - 1))^(d / (d - 2))}
     * with {@code f = 2} and d the rotated head width; the frequencies are then
     * {@code base^(-2i/d)} as usual.
     */
    static double ntkBase(double theta, long maxPositions, long originalMaxPositions, int headDim) {
        if (originalMaxPositions <= 0 || maxPositions <= 0 || headDim <= 2) {
            throw new IllegalArgumentException("ntk RoPE needs positive max_position_embeddings ("
                    + maxPositions + ") and orig_max_position_embeddings (" + originalMaxPositions
                    + ") and a head width above 2 (" + headDim + ")");
        }
        double stretch = NTK_FACTOR * maxPositions / originalMaxPositions - (NTK_FACTOR - 1);
        return theta * Math.pow(stretch, (double) headDim / (headDim - 2));
    }

    /** Width of one attention (and DeltaNet) head. */
    public int headDim() {
        return hiddenSize / attentionHeads;
    }

    /** Keys (or values) of one position: KV heads times head width. */
    public int keyValueDim() {
        return keyValueHeads * headDim();
    }

    /** Mamba-2 heads: d_inner / headdim. */
    public int mambaHeads() {
        return mambaInnerSize / mambaHeadDim;
    }

    /** Channels of Mamba-2's conv: x, B and C (one group). */
    public int mambaConvChannels() {
        return mambaInnerSize + 2 * mambaStateSize;
    }

    /** Rows of Mamba-2's in_proj: z, xBC and dt. */
    public int mambaInProjection() {
        return 2 * mambaInnerSize + 2 * mambaStateSize + mambaHeads();
    }

    /** A string that identifies the cache layout this config implies (checked when a context is reused). */
    public String layout() {
        StringBuilder out = new StringBuilder("nemotron_flash hidden ").append(hiddenSize).append(" memory ")
                .append(memoryTokens).append(" [");
        operators.forEach(t -> out.append(' ').append(t.code()));
        return out.append(" ]").toString();
    }

    private static void requireValue(ModelConfig config, String key, String supported, String problem) {
        if (config.has(key) && !config.getString(key).equals(supported)) {
            throw new ModelLoadException(config.source() + ": key '" + key + "' = '" + config.getString(key) + "': "
                    + problem);
        }
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }
}
