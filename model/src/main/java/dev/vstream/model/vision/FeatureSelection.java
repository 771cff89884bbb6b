package dev.vstream.model.vision;

/**
 * Which encoder output becomes the visual tokens: {@code hidden_states[layer]} in Hugging Face
 * terms (0 = embeddings, i = after layer i, negative counts from the end so -1 is the last
 * layer), with or without the class token.
 *
 * @param layer          hidden-state index, {@code -(layers + 1) <= layer <= layers}
 * @param dropClassToken drop CLIP's class token ({@code mm_vision_select_feature = 'patch'});
 *                       no effect for SigLIP, which has none
 */
public record FeatureSelection(int layer, boolean dropClassToken) {

    /**
     * Flash-VStream and LLaVA: the penultimate layer's patch tokens
     * ({@code mm_vision_select_layer = -2}, {@code mm_vision_select_feature = 'patch'}); 256
     * tokens of 1024 for CLIP ViT-L/14 at 224 px.
     */
    public static final FeatureSelection FLASH_VSTREAM = new FeatureSelection(-2, true);

    public FeatureSelection {
        if (layer < -1000 || layer > 1000) {
            throw new IllegalArgumentException("layer index " + layer + " is out of any model's range");
        }
    }
}
