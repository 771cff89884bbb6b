package dev.vstream.model.vision;

import dev.vstream.model.loader.ModelConfig;
import dev.vstream.model.loader.ModelLoadException;

/**
 * Hyper-parameters of a ViT vision tower, bound by name from config.json: from its
 * {@code vision_config} section when there is one (full CLIP / SigLIP checkpoints), else from
 * the top level ({@code CLIPVisionModel} / {@code SiglipVisionModel} checkpoints). Missing keys
 * take the defaults of transformers' {@code CLIPVisionConfig} / {@code SiglipVisionConfig},
 * which omit values equal to their defaults when saving.
 *
 * @param family           CLIP or SigLIP layout
 * @param hiddenSize       D, width of every token ({@code hidden_size})
 * @param intermediateSize width of the MLP ({@code intermediate_size})
 * @param heads            attention heads ({@code num_attention_heads}); D must divide evenly
 * @param layers           encoder layers ({@code num_hidden_layers})
 * @param channels         input channels ({@code num_channels}), 3 for RGB
 * @param imageSize        square input side in pixels ({@code image_size})
 * @param patchSize        square patch side ({@code patch_size}); must divide imageSize
 * @param layerNormEps     epsilon of every LayerNorm ({@code layer_norm_eps})
 * @param activation       MLP non-linearity ({@code hidden_act})
 */
public record VisionConfig(VisionFamily family, int hiddenSize, int intermediateSize, int heads,
        int layers, int channels, int imageSize, int patchSize, double layerNormEps,
        Activation activation) {

    public VisionConfig {
        if (family == null || activation == null) {
            throw new IllegalArgumentException("family and activation are required");
        }
        requirePositive("hidden_size", hiddenSize);
        requirePositive("intermediate_size", intermediateSize);
        requirePositive("num_attention_heads", heads);
        requirePositive("num_hidden_layers", layers);
        requirePositive("num_channels", channels);
        requirePositive("image_size", imageSize);
        requirePositive("patch_size", patchSize);
        if (hiddenSize % heads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize
                    + " is not a multiple of num_attention_heads " + heads);
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("image_size " + imageSize
                    + " is not a multiple of patch_size " + patchSize);
        }
        if (!(layerNormEps > 0) || !Double.isFinite(layerNormEps)) {
            throw new IllegalArgumentException("layer_norm_eps must be positive, got " + layerNormEps);
        }
    }

    /** Binds the vision config of {@code config}, choosing the family from its model_type. */
    public static VisionConfig from(ModelConfig config) {
        VisionFamily family = VisionFamily.of(config);
        ModelConfig vision = config.has("vision_config") ? config.getSection("vision_config") : config;
        try {
            return new VisionConfig(family,
                    vision.getInt("hidden_size", 768),
                    vision.getInt("intermediate_size", 3072),
                    vision.getInt("num_attention_heads", 12),
                    vision.getInt("num_hidden_layers", 12),
                    vision.getInt("num_channels", 3),
                    vision.getInt("image_size", 224),
                    vision.getInt("patch_size", family.defaultPatchSize()),
                    vision.getDouble("layer_norm_eps", family.defaultLayerNormEps()),
                    Activation.byName(vision.getString("hidden_act", family.defaultActivation()),
                            config.source()));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(config.source() + ": " + e.getMessage(), e);
        }
    }

    /** Width of one attention head, D / heads. */
    public int headDim() {
        return hiddenSize / heads;
    }

    /** Patches along one side of the image. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Patch tokens per image, gridSize squared (256 for ViT-L/14 at 224 px). */
    public int patches() {
        return gridSize() * gridSize();
    }

    /** Tokens per image in the encoder: patches plus the class token for CLIP. */
    public int sequenceLength() {
        return patches() + (family.hasClassToken() ? 1 : 0);
    }

    /** Length of one flattened patch, channels x patch x patch (the convolution's fan-in). */
    public int patchVectorSize() {
        return channels * patchSize * patchSize;
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }
}
