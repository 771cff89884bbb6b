package dev.vstream.model.vision;

import dev.vstream.kernels.linalg.Gemm;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelConfig;
import dev.vstream.model.loader.ModelLoadException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CLIP or SigLIP vision tower (ViT) in the Hugging Face layout, fp32 on the CPU:
 * {@code h_0 = [pre-LN](PatchEmbedding(pixels))}, {@code h_i = EncoderLayer_i(h_(i-1))}. The
 * hidden states {@code h_0 .. h_L} are numbered as transformers' {@code hidden_states}.
 * Frames are batched: pixels are {@code (frames, channels, size, size)} and activations
 * {@code (frames * seq, hidden)} in a caller-owned {@link VisionWorkspace}.
 *
 * <p>Weights are read from {@code vision_model.*} (full CLIP / SigLIP checkpoints) or from
 * unprefixed names (a {@code CLIPVisionModel} / {@code SiglipVisionModel} saved by
 * transformers 5). The projection weights stay in the memory-mapped checkpoint and are read
 * there by the injected {@link Gemm}, so the checkpoint must stay open while the tower is
 * used; norms and embeddings (a few vectors) are copied.
 */
public final class VisionTransformer {

    private static final Logger log = LoggerFactory.getLogger(VisionTransformer.class);
    private static final String PREFIXED = "vision_model.";

    private final VisionConfig config;
    private final PatchEmbedding embedding;
    private final LayerNorm preNorm; // CLIP only, else null
    private final List<EncoderLayer> layers;
    private final LayerNorm postNorm;
    private final AttentionPoolingHead head; // SigLIP with head, else null

    private VisionTransformer(VisionConfig config, PatchEmbedding embedding, LayerNorm preNorm,
            List<EncoderLayer> layers, LayerNorm postNorm, AttentionPoolingHead head) {
        this.config = config;
        this.embedding = embedding;
        this.preNorm = preNorm;
        this.layers = List.copyOf(layers);
        this.postNorm = postNorm;
        this.head = head;
    }

    /**
     * Reads config.json and the weights; every tensor's shape is checked against the config.
     * {@code gemm} runs every projection (one instance per inference loop; see Gemm).
     *
     * @throws ModelLoadException (or its ShapeMismatchException) naming the file, the tensor or
     *         config key, and what was expected
     */
    public static VisionTransformer load(Checkpoint checkpoint, Gemm gemm) {
        VisionConfig config = VisionConfig.from(checkpoint.config());
        String prefix = checkpoint.has(PREFIXED + "embeddings.patch_embedding.weight") ? PREFIXED : "";
        Weights w = new Weights(checkpoint, prefix, config, gemm);
        int d = config.hiddenSize();
        Tensor conv = w.tensor("embeddings.patch_embedding.weight", d, config.channels(), config.patchSize(),
                config.patchSize());
        Linear projection = Linear.of(conv.reshape(Shape.of(d, config.patchVectorSize())),
                config.family().hasPatchBias() ? w.tensor("embeddings.patch_embedding.bias", d) : null, gemm);
        float[] classEmbedding = config.family().hasClassToken() ? w.vector("embeddings.class_embedding", d) : null;
        float[] positions = w.tensor("embeddings.position_embedding.weight", config.sequenceLength(), d).toFloatArray();
        PatchEmbedding embedding = new PatchEmbedding(config, projection, classEmbedding, positions);
        LayerNorm preNorm = config.family().hasPreLayerNorm() ? w.layerNorm("pre_layrnorm") : null;
        List<EncoderLayer> layers = new ArrayList<>(config.layers());
        for (int i = 0; i < config.layers(); i++) {
            String layer = "encoder.layers." + i + ".";
            SelfAttention attention = new SelfAttention(w.linear(layer + "self_attn.q_proj", d, d),
                    w.linear(layer + "self_attn.k_proj", d, d), w.linear(layer + "self_attn.v_proj", d, d),
                    w.linear(layer + "self_attn.out_proj", d, d), config.heads(), gemm);
            layers.add(new EncoderLayer(w.layerNorm(layer + "layer_norm1"), attention,
                    w.layerNorm(layer + "layer_norm2"), w.linear(layer + "mlp.fc1", config.intermediateSize(), d),
                    w.linear(layer + "mlp.fc2", d, config.intermediateSize()), config.activation()));
        }
        LayerNorm postNorm = w.layerNorm("post_layernorm");
        AttentionPoolingHead head = usesHead(checkpoint, prefix, config) ? loadHead(w, config) : null;
        log.info("Vision tower loaded: {} {} layers, hidden {}, {} heads, {} px / patch {} ({} tokens){}",
                config.family(), config.layers(), d, config.heads(), config.imageSize(), config.patchSize(),
                config.sequenceLength(), head == null ? "" : ", attention-pooling head");
        return new VisionTransformer(config, embedding, preNorm, layers, postNorm, head);
    }

    /**
     * SigLIP's head is used when {@code vision_use_head} says so, or, when the key is absent
     * (transformers then defaults to true), when the checkpoint has it: towers saved for LLaVA-
     * style use often drop it.
     */
    private static boolean usesHead(Checkpoint checkpoint, String prefix, VisionConfig config) {
        if (config.family() != VisionFamily.SIGLIP) {
            return false;
        }
        ModelConfig json = checkpoint.config();
        ModelConfig vision = json.has("vision_config") ? json.getSection("vision_config") : json;
        return vision.has("vision_use_head") ? vision.getBoolean("vision_use_head")
                : checkpoint.has(prefix + "head.probe");
    }

    private static AttentionPoolingHead loadHead(Weights w, VisionConfig config) {
        int d = config.hiddenSize();
        float[] probe = w.tensor("head.probe", 1, 1, d).toFloatArray();
        Tensor inWeight = w.tensor("head.attention.in_proj_weight", 3L * d, d);
        Tensor inBias = w.tensor("head.attention.in_proj_bias", 3L * d);
        // nn.MultiheadAttention packs Wq, Wk, Wv as consecutive row blocks of in_proj_weight.
        Linear[] qkv = new Linear[3];
        for (int i = 0; i < 3; i++) {
            qkv[i] = Linear.of(Linear.rows(inWeight, (long) i * d, (long) (i + 1) * d),
                    Linear.rows(inBias, (long) i * d, (long) (i + 1) * d), w.gemm());
        }
        Linear query = qkv[0];
        Linear key = qkv[1];
        Linear value = qkv[2];
        float[] probeQuery = new float[d];
        query.forward(probe, 0, 1, probeQuery, 0);
        return new AttentionPoolingHead(probeQuery, key, value, w.linear("head.attention.out_proj", d, d),
                w.layerNorm("head.layernorm"), w.linear("head.mlp.fc1", config.intermediateSize(), d),
                w.linear("head.mlp.fc2", d, config.intermediateSize()), config.activation(), config.heads(), w.gemm());
    }

    public VisionConfig config() {
        return config;
    }

    public boolean hasPoolingHead() {
        return config.family() == VisionFamily.CLIP || head != null;
    }

    public VisionWorkspace newWorkspace(int maxFrames) {
        return new VisionWorkspace(config, maxFrames);
    }

    /** The non-negative hidden-state index for {@code layer} (negative counts from the end). */
    public int resolveLayer(int layer) {
        int count = config.layers() + 1;
        int resolved = layer < 0 ? layer + count : layer;
        if (resolved < 0 || resolved >= count) {
            throw new IllegalArgumentException("hidden-state index " + layer + " is outside [" + -count + ", "
                    + (count - 1) + "] for " + config.layers() + " layers");
        }
        return resolved;
    }

    /** Tokens per image that {@link #features} writes. */
    public int featureTokens(FeatureSelection selection) {
        return config.sequenceLength() - (selection.dropClassToken() && config.family().hasClassToken() ? 1 : 0);
    }

    /**
     * Runs the tower up to {@code hidden_states[layer]}, skipping the layers after it, and
     * returns the workspace's hidden buffer, whose first {@code frames * seq * hidden} values
     * hold that state (valid until the next call with this workspace).
     */
    public float[] encode(float[] pixels, int frames, int layer, VisionWorkspace ws) {
        int stop = resolveLayer(layer);
        checkInputs(pixels, frames, ws);
        embed(pixels, frames, ws);
        for (int i = 0; i < stop; i++) {
            layers.get(i).forward(ws.hidden, frames, config.sequenceLength(), ws);
        }
        return ws.hidden;
    }

    /**
     * The selected features, {@code (frames, featureTokens, hidden)} into {@code out}: for
     * {@link FeatureSelection#FLASH_VSTREAM}, the penultimate layer without the class token.
     */
    public void features(float[] pixels, int frames, FeatureSelection selection, VisionWorkspace ws, float[] out) {
        float[] hidden = encode(pixels, frames, selection.layer(), ws);
        int d = config.hiddenSize();
        int seq = config.sequenceLength();
        int tokens = featureTokens(selection);
        Objects.checkFromIndexSize(0, (long) frames * tokens * d, out.length);
        for (int f = 0; f < frames; f++) {
            System.arraycopy(hidden, (f * seq + seq - tokens) * d, out, f * tokens * d, tokens * d);
        }
    }

    /** Every hidden state: {@code out[i]} receives {@code hidden_states[i]}, i = 0..layers. */
    public void hiddenStates(float[] pixels, int frames, VisionWorkspace ws, float[][] out) {
        if (out.length != config.layers() + 1) {
            throw new IllegalArgumentException("need " + (config.layers() + 1) + " output arrays, got " + out.length);
        }
        checkInputs(pixels, frames, ws);
        int size = frames * config.sequenceLength() * config.hiddenSize();
        embed(pixels, frames, ws);
        System.arraycopy(ws.hidden, 0, out[0], 0, size);
        for (int i = 0; i < config.layers(); i++) {
            layers.get(i).forward(ws.hidden, frames, config.sequenceLength(), ws);
            System.arraycopy(ws.hidden, 0, out[i + 1], 0, size);
        }
    }

    /**
     * transformers' {@code last_hidden_state}, {@code (frames, seq, hidden)}: the last layer's
     * output for CLIP, that output after {@code post_layernorm} for SigLIP.
     */
    public void lastHiddenState(float[] pixels, int frames, VisionWorkspace ws, float[] out) {
        float[] hidden = encode(pixels, frames, -1, ws);
        int tokens = frames * config.sequenceLength();
        if (config.family() == VisionFamily.SIGLIP) {
            postNorm.forward(hidden, 0, tokens, out, 0);
        } else {
            System.arraycopy(hidden, 0, out, 0, tokens * config.hiddenSize());
        }
    }

    /**
     * transformers' {@code pooler_output}, {@code (frames, hidden)}: CLIP's class token after
     * {@code post_layernorm}; SigLIP's attention-pooling head.
     */
    public void pooledOutput(float[] pixels, int frames, VisionWorkspace ws, float[] out) {
        if (!hasPoolingHead()) {
            throw new IllegalStateException("this SigLIP checkpoint has no attention-pooling head");
        }
        float[] hidden = encode(pixels, frames, -1, ws);
        int d = config.hiddenSize();
        int seq = config.sequenceLength();
        if (config.family() == VisionFamily.CLIP) {
            for (int f = 0; f < frames; f++) {
                postNorm.forward(hidden, f * seq * d, 1, out, f * d);
            }
        } else {
            postNorm.forward(hidden, 0, frames * seq, ws.normed, 0);
            head.forward(ws.normed, frames, seq, ws, out);
        }
    }

    private void embed(float[] pixels, int frames, VisionWorkspace ws) {
        embedding.forward(pixels, frames, ws, ws.hidden);
        if (preNorm != null) {
            preNorm.forward(ws.hidden, 0, frames * config.sequenceLength(), ws.hidden, 0);
        }
    }

    private void checkInputs(float[] pixels, int frames, VisionWorkspace ws) {
        if (ws.config != config) {
            throw new IllegalArgumentException("workspace was made for another vision tower");
        }
        if (frames <= 0 || frames > ws.maxFrames) {
            throw new IllegalArgumentException(frames + " frames for a workspace of at most " + ws.maxFrames);
        }
        long needed = (long) frames * config.channels() * config.imageSize() * config.imageSize();
        if (pixels.length < needed) {
            throw new IllegalArgumentException("pixels hold " + pixels.length + " values, " + frames + " frames of "
                    + config.channels() + "x" + config.imageSize() + "x" + config.imageSize() + " need " + needed);
        }
    }

    /** Shape-checked tensor access under the checkpoint's name prefix. */
    private record Weights(Checkpoint checkpoint, String prefix, VisionConfig config, Gemm gemm) {

        Tensor tensor(String name, long... shape) {
            return checkpoint.tensor(prefix + name, shape);
        }

        float[] vector(String name, int length) {
            return tensor(name, length).toFloatArray();
        }

        Linear linear(String name, int out, int in) {
            return Linear.of(tensor(name + ".weight", out, in), tensor(name + ".bias", out), gemm);
        }

        LayerNorm layerNorm(String name) {
            int d = config.hiddenSize();
            return new LayerNorm(tensor(name + ".weight", d), tensor(name + ".bias", d), config.layerNormEps());
        }
    }
}
