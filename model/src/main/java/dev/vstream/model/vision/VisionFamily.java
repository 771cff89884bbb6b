package dev.vstream.model.vision;

import dev.vstream.model.loader.ModelConfig;
import dev.vstream.model.loader.ModelLoadException;
import java.util.Set;

/**
 * The two ViT layouts the encoder reads. They share the encoder layer (pre-norm attention and
 * MLP) and differ only around it:
 *
 * <ul>
 *   <li>CLIP: a learned class token is prepended, so {@code seq = 1 + patches}; the patch
 *       convolution has no bias; {@code pre_layrnorm} (sic) normalizes the embeddings;
 *       {@code post_layernorm} is applied to the class token only (the pooled output), not to
 *       {@code last_hidden_state}.
 *   <li>SigLIP: no class token, a patch convolution with bias, no pre-norm; {@code
 *       post_layernorm} is applied to every token of {@code last_hidden_state}; the pooled
 *       output comes from an optional attention-pooling head.
 * </ul>
 */
public enum VisionFamily {
    CLIP(Set.of("clip", "clip_vision_model"), "quick_gelu", 1e-5, 32),
    SIGLIP(Set.of("siglip", "siglip_vision_model"), "gelu_pytorch_tanh", 1e-6, 16);

    private final Set<String> modelTypes;
    private final String defaultActivation;
    private final double defaultLayerNormEps;
    private final int defaultPatchSize;

    VisionFamily(Set<String> modelTypes, String defaultActivation, double defaultLayerNormEps,
            int defaultPatchSize) {
        this.modelTypes = modelTypes;
        this.defaultActivation = defaultActivation;
        this.defaultLayerNormEps = defaultLayerNormEps;
        this.defaultPatchSize = defaultPatchSize;
    }

    public boolean hasClassToken() {
        return this == CLIP;
    }

    public boolean hasPreLayerNorm() {
        return this == CLIP;
    }

    public boolean hasPatchBias() {
        return this == SIGLIP;
    }

    /** Defaults of transformers' config classes, used when config.json omits a key. */
    String defaultActivation() {
        return defaultActivation;
    }

    double defaultLayerNormEps() {
        return defaultLayerNormEps;
    }

    int defaultPatchSize() {
        return defaultPatchSize;
    }

    /**
     * The family named by {@code vision_config.model_type} or the top-level {@code model_type}
     * ({@code clip}, {@code clip_vision_model}, {@code siglip}, {@code siglip_vision_model}).
     */
    public static VisionFamily of(ModelConfig config) {
        String type = config.has("vision_config") && config.getSection("vision_config").has("model_type")
                ? config.getSection("vision_config").getString("model_type")
                : config.getString("model_type", "");
        for (VisionFamily family : values()) {
            if (family.modelTypes.contains(type)) {
                return family;
            }
        }
        throw new ModelLoadException(config.source() + ": model_type '" + type
                + "' is not a CLIP or SigLIP vision model (expected one of clip, clip_vision_model,"
                + " siglip, siglip_vision_model)");
    }
}
