package dev.vstream.model.sambay;

import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.EmbeddingPrefill;
import dev.vstream.model.lm.LanguageModel;
import dev.vstream.model.lm.LayerCache;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelLoadException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SambaY (Ren et al. 2025, "Decoder-Hybrid-Decoder Architecture for Efficient Reasoning with
 * Long Generation") in the layout of Phi-4-mini-flash-reasoning, fp32 activations on the CPU:
 * embedding, the layer plan of {@link SambaYConfig} (Mamba-1 + sliding-window differential
 * attention self-decoder, the memory Mamba layer, the shared full-attention layer, then gated
 * memory units and cross attention over the shared K/V), final LayerNorm, LM head tied to the
 * embedding. No positional encoding.
 *
 * <p>One forward loop serves prefill (all new tokens at once) and decode (one token): each
 * layer reads and updates its caches in the {@link ContextState}. Contexts hold per Mamba layer
 * a conv and an SSM state, per sliding-window layer a ring buffer of the last window K/V, and
 * one growing K/V cache for the shared layer; the GMU and cross-attention layers keep nothing.
 *
 * <p>Weights are read in place from the memory-mapped checkpoint, which must stay open. Not
 * thread-safe: one instance per inference loop (it owns its workspace and kernels).
 */
public final class SambaYModel implements EmbeddingPrefill {

    private static final Logger log = LoggerFactory.getLogger(SambaYModel.class);
    /** Tokens per prefill pass: bounds the workspace at about 60 K floats per token at full size. */
    static final int PREFILL_BLOCK = 512;

    private final SambaYConfig config;
    private final CpuKernels kernels;
    private final Tensor embedding;   // (vocab, d)
    private final List<DecoderLayer> layers;
    private final Tensor finalNormWeight; // (d)
    private final Tensor finalNormBias;   // (d)
    private final Linear head;        // (vocab, d), the embedding when tied
    private final SambaYWorkspace ws;
    private final int prefillBlock;

    private SambaYModel(SambaYConfig config, CpuKernels kernels, Tensor embedding, List<DecoderLayer> layers,
            Tensor finalNormWeight, Tensor finalNormBias, Linear head, int prefillBlock) {
        this.prefillBlock = prefillBlock;
        this.config = config;
        this.kernels = kernels;
        this.embedding = embedding;
        this.layers = List.copyOf(layers);
        this.finalNormWeight = finalNormWeight;
        this.finalNormBias = finalNormBias;
        this.head = head;
        this.ws = new SambaYWorkspace(config, kernels);
    }

    /**
     * Binds config.json and every tensor of the plan, checking each shape.
     *
     * @throws ModelLoadException naming the file and key or tensor; its
     *         {@link dev.vstream.model.loader.ShapeMismatchException} for a wrong shape
     */
    public static SambaYModel load(Checkpoint checkpoint, CpuKernels kernels) {
        return load(checkpoint, kernels, DifferentialAttention.QUERY_CHUNK, PREFILL_BLOCK);
    }

    /**
     * {@link #load(Checkpoint, CpuKernels)} attending at most {@code queryChunk} queries per
     * score matrix and prefilling at most {@code prefillBlock} tokens per pass.
     */
    static SambaYModel load(Checkpoint checkpoint, CpuKernels kernels, int queryChunk, int prefillBlock) {
        Objects.requireNonNull(kernels, "kernels");
        if (prefillBlock <= 0) {
            throw new IllegalArgumentException("prefillBlock must be positive, got " + prefillBlock);
        }
        SambaYConfig config = SambaYConfig.from(checkpoint.config());
        int d = config.hiddenSize();
        Tensor embedding = checkpoint.tensor("model.embed_tokens.weight", config.vocabSize(), d);
        List<DecoderLayer> layers = new ArrayList<>(config.layers());
        int slot = 0;
        int sharedSlot = -1;
        for (int i = 0; i < config.layers(); i++) {
            String prefix = "model.layers." + i + ".";
            String mixerPrefix = prefix + "attn.";
            TokenMixer mixer = switch (config.kind(i)) {
                case MAMBA, MEMORY_MAMBA -> {
                    MambaMixer mamba = new MambaMixer(checkpoint, mixerPrefix, config, kernels, slot,
                            config.kind(i) == SambaYConfig.LayerKind.MEMORY_MAMBA);
                    slot += 2;
                    yield mamba;
                }
                case SLIDING_ATTENTION -> new DifferentialAttention(checkpoint, mixerPrefix, i,
                        DifferentialAttention.Role.SLIDING_WINDOW, config, kernels, slot++, queryChunk);
                case FULL_ATTENTION -> {
                    sharedSlot = slot++;
                    yield new DifferentialAttention(checkpoint, mixerPrefix, i, DifferentialAttention.Role.SHARED_FULL,
                            config, kernels, sharedSlot, queryChunk);
                }
                case CROSS_ATTENTION -> new DifferentialAttention(checkpoint, mixerPrefix, i,
                        DifferentialAttention.Role.CROSS, config, kernels, sharedSlot, queryChunk);
                case GATED_MEMORY -> new GatedMemoryUnit(checkpoint, mixerPrefix, config, kernels);
            };
            layers.add(new DecoderLayer(checkpoint, prefix, mixer, config, kernels));
        }
        Tensor finalWeight = checkpoint.tensor("model.final_layernorm.weight", d);
        Tensor finalBias = checkpoint.tensor("model.final_layernorm.bias", d);
        Linear head = new Linear(checkpoint.lmHead(config.vocabSize(), d), null, kernels);
        SambaYModel model = new SambaYModel(config, kernels, embedding, layers, finalWeight, finalBias, head,
                prefillBlock);
        log.info("SambaY model loaded: {} layers, hidden {}, {} heads / {} kv, window {}, vocab {}, context state {} "
                + "bytes + {} bytes per token", config.layers(), d, config.heads(), config.kvHeads(),
                config.slidingWindow(), config.vocabSize(), model.newContext().sizeInBytes(),
                2L * config.kvDim() * Float.BYTES);
        return model;
    }

    public SambaYConfig config() {
        return config;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public ContextState newContext() {
        List<LayerCache> slots = new ArrayList<>();
        for (DecoderLayer layer : layers) {
            layer.mixer().addCaches(slots);
        }
        return new ContextState(config.layout(), slots);
    }

    /**
     * Runs the prompt in blocks of at most {@code prefillBlock} tokens (the caches carry each
     * block into the next, so the result equals one pass). Blocks whose logits are not wanted
     * stop after the shared-KV layer: the cross-decoder keeps no cache, so it runs only where
     * logits are read (YOCO prefill).
     */
    @Override
    public void prefill(ContextState state, int[] tokens, Logits which, float[] logitsOut) {
        Objects.requireNonNull(which, "which");
        boolean all = which == Logits.ALL_POSITIONS;
        check(state, tokens, all ? tokens.length : 1, logitsOut);
        int vocab = config.vocabSize();
        float[] blockLogits = all && tokens.length > prefillBlock ? new float[Math.multiplyExact(prefillBlock, vocab)] : logitsOut;
        for (int from = 0; from < tokens.length; from += prefillBlock) {
            int to = Math.min(tokens.length, from + prefillBlock);
            int[] block = from == 0 && to == tokens.length ? tokens : Arrays.copyOfRange(tokens, from, to);
            boolean lastBlock = to == tokens.length;
            int logitRows = all ? block.length : lastBlock ? 1 : 0;
            forward(state, block, logitRows, blockLogits, null);
            if (all && blockLogits != logitsOut) {
                System.arraycopy(blockLogits, 0, logitsOut, from * vocab, block.length * vocab);
            }
        }
    }

    @Override
    public void decodeStep(ContextState state, int token, float[] logitsOut) {
        forward(state, new int[] {token}, 1, logitsOut, null);
    }

    /**
     * The forward loop. Writes the logits of the last {@code logitRows} tokens and, when
     * {@code hiddenStates} is given, the residual stream {@code (tokens, d)} after the embedding
     * (index 0) and after every layer (index i + 1), before the final norm.
     *
     * <p>YOCO prefill: the layers after the shared-KV layer keep no cache, so when only the
     * last position's logits are wanted they run on the last row alone (its residual and
     * memory moved to row 0), and not at all when no logits are wanted ({@code logitRows = 0});
     * the cross-decoder then costs one token whatever the prompt length.
     */
    void forward(ContextState state, int[] tokens, int logitRows, float[] logitsOut, float[][] hiddenStates) {
        check(state, tokens, logitRows, logitsOut);
        int rows = tokens.length;
        int d = config.hiddenSize();
        ws.ensure(rows);
        for (int t = 0; t < rows; t++) {
            embedding.row(tokens[t]).copyTo(ws.residual, t * d);
        }
        run(state, rows, logitRows, logitsOut, hiddenStates);
    }

    @Override
    public int embeddingSize() {
        return config.hiddenSize();
    }

    @Override
    public void embed(int token, float[] out, int offset) {
        if (token < 0 || token >= config.vocabSize()) {
            throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, "
                    + config.vocabSize() + ")");
        }
        embedding.row(token).copyTo(out, offset);
    }

    /** In blocks of {@code prefillBlock} rows like {@link #prefill}; without logits the cross-decoder is skipped. */
    @Override
    public void prefillEmbeddings(ContextState state, float[] embeddings, int rows, float[] logitsOut) {
        state.requireLayout(config.layout());
        int d = config.hiddenSize();
        if (rows < 1) {
            throw new IllegalArgumentException("no embeddings to run");
        }
        if (embeddings.length < (long) rows * d) {
            throw new IllegalArgumentException("embeddings hold " + embeddings.length + " floats, " + rows + " x " + d
                    + " needed");
        }
        if (logitsOut != null && logitsOut.length < config.vocabSize()) {
            throw new IllegalArgumentException("logits output holds " + logitsOut.length + " floats, "
                    + config.vocabSize() + " needed");
        }
        for (int i = 0; i < rows * d; i++) {
            if (!Float.isFinite(embeddings[i])) {
                throw new IllegalArgumentException("non-finite embedding value at row " + i / d + ", column " + i % d);
            }
        }
        for (int from = 0; from < rows; from += prefillBlock) {
            int n = Math.min(rows, from + prefillBlock) - from;
            ws.ensure(n);
            System.arraycopy(embeddings, from * d, ws.residual, 0, n * d);
            boolean lastBlock = from + n == rows;
            run(state, n, lastBlock && logitsOut != null ? 1 : 0, logitsOut, null);
        }
    }

    /** The layers, final norm and head over the {@code rows} input rows already in {@code ws.residual}. */
    private void run(ContextState state, int rows, int logitRows, float[] logitsOut, float[][] hiddenStates) {
        int position = state.position();
        int d = config.hiddenSize();
        capture(hiddenStates, 0, rows);
        int active = rows;
        int activePosition = position;
        for (int i = 0; i < layers.size(); i++) {
            if (i == config.sharedKvLayer() + 1 && logitRows == 0 && hiddenStates == null) {
                break;
            }
            if (i == config.sharedKvLayer() + 1 && logitRows == 1 && active > 1 && hiddenStates == null) {
                int inner = config.innerSize();
                System.arraycopy(ws.residual, (active - 1) * d, ws.residual, 0, d);
                System.arraycopy(ws.memory, (active - 1) * inner, ws.memory, 0, inner);
                activePosition += active - 1;
                active = 1;
            }
            layers.get(i).forward(active, activePosition, state, ws);
            capture(hiddenStates, i + 1, rows);
        }
        if (logitRows > 0) {
            int first = active - logitRows;
            kernels.norms().layerNorm(ws.residual, first * d, ws.normed, 0, logitRows, d, finalNormWeight,
                    finalNormBias, (float) config.layerNormEps());
            head.forward(ws.normed, 0, logitRows, logitsOut, 0);
        }
        state.advance(rows);
    }

    private void capture(float[][] hiddenStates, int index, int rows) {
        if (hiddenStates != null) {
            System.arraycopy(ws.residual, 0, hiddenStates[index], 0, rows * config.hiddenSize());
        }
    }

    private void check(ContextState state, int[] tokens, int logitRows, float[] logitsOut) {
        state.requireLayout(config.layout());
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to run");
        }
        for (int token : tokens) {
            if (token < 0 || token >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
        long needed = (long) logitRows * config.vocabSize();
        if (logitsOut.length < needed) {
            throw new IllegalArgumentException("logits output holds " + logitsOut.length + " floats, "
                    + logitRows + " x " + config.vocabSize() + " needed");
        }
    }
}
