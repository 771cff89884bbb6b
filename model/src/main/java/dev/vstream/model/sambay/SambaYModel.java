package dev.vstream.model.sambay;

import dev.vstream.kernels.attention.TiledAttention;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.sparse.HeadConfig;
import dev.vstream.kernels.sparse.ModalitySpans;
import dev.vstream.kernels.sparse.PatternConfig;
import dev.vstream.kernels.sparse.PermutedBlockSparseAttention;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LanguageModel;
import dev.vstream.model.lm.MultimodalPrefill;
import dev.vstream.model.lm.LayerCache;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.lm.PrefillOptions;
import dev.vstream.model.lm.SparsePatterns;
import dev.vstream.model.lm.SparsePrefill;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelLoadException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 * <p>YOCO prefill is linear: the one full-attention (shared-KV) layer's output at a position is
 * read only by the cross-decoder, which keeps no cache and runs only for rows whose logits are
 * wanted. So a prefill that wants the last position's logits (a question) or none (a video
 * memory's context) caches every row's keys and values there and attends for the last row
 * alone; the only quadratic work left is that row's attention over the cache.
 *
 * <p>Sparse prefill ({@link SparsePrefill}) therefore matters only when every position's logits
 * are wanted: then, when the options ask for it and the context is fresh (position 0), the
 * prefill runs layer by layer over the whole sequence: the layers before the full-attention
 * layer in the blocks of {@link #prefill}, the full-attention layer with MMInference's
 * {@link PermutedBlockSparseAttention} for each of its two softmax maps (query head
 * {@code 2i + half} of pair i is map {@code half}; one plan per map with that head's pattern,
 * both value halves attended under it), then the cross-decoder on every row. The pattern config
 * has one layer per full-attention layer (in layer order) and one entry per query head
 * ({@code num_attention_heads}); a layer whose heads are all dense runs dense. The patterns
 * come from the options or from {@value #PATTERN_FILE} in the checkpoint folder. The shared KV
 * cache is filled exactly as by the dense prefill; decode and later prefills are dense. Every
 * other options prefill (last position, none, from input embeddings, on a non-empty context) is
 * the linear one above: its result is the dense prefill's, and {@link #lastSparseLayers()} is 0.
 *
 * <p>Weights are read in place from the memory-mapped checkpoint, which must stay open. Not
 * thread-safe: one instance per inference loop (it owns its workspace and kernels).
 */
public final class SambaYModel implements MultimodalPrefill {

    /** The per-head sparse patterns in the checkpoint folder ({@link PatternConfig} JSON), optional. */
    public static final String PATTERN_FILE = SparsePatterns.FILE;

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
    private final int[] fullAttentionIndex; // per layer: its index among the full-attention layers, or -1
    private final int fullAttentionLayers;
    private final PatternConfig patterns;   // from the checkpoint folder, or null
    private final ComputePool pool;         // for the sparse kernel
    private TiledAttention tiled;           // made on first sparse use
    private PermutedBlockSparseAttention sparse;
    private int lastSparseLayers;
    private DifferentialAttention.SparsePass lastSparsePass; // for tests

    private SambaYModel(SambaYConfig config, CpuKernels kernels, Tensor embedding, List<DecoderLayer> layers,
            Tensor finalNormWeight, Tensor finalNormBias, Linear head, int prefillBlock, PatternConfig patterns,
            ComputePool pool) {
        this.prefillBlock = prefillBlock;
        this.pool = pool;
        this.fullAttentionIndex = new int[layers.size()];
        int full = 0;
        for (int i = 0; i < layers.size(); i++) {
            fullAttentionIndex[i] = config.kind(i) == SambaYConfig.LayerKind.FULL_ATTENTION ? full++ : -1;
        }
        this.fullAttentionLayers = full;
        this.config = config;
        this.kernels = kernels;
        this.embedding = embedding;
        this.layers = List.copyOf(layers);
        this.finalNormWeight = finalNormWeight;
        this.finalNormBias = finalNormBias;
        this.head = head;
        this.ws = new SambaYWorkspace(config, kernels);
        if (patterns != null) {
            checkPatterns(patterns);
        }
        this.patterns = patterns;
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
        return load(checkpoint, kernels, queryChunk, prefillBlock, new ComputePool(1));
    }

    /**
     * As {@link #load(Checkpoint, CpuKernels)}, the sparse prefill attention on {@code pool}
     * (owned by the caller). The other overloads give it a pool of one thread.
     *
     * @throws ModelLoadException also when {@value #PATTERN_FILE} is present but unreadable or
     *         does not fit the full-attention layers
     */
    public static SambaYModel load(Checkpoint checkpoint, CpuKernels kernels, ComputePool pool) {
        return load(checkpoint, kernels, DifferentialAttention.QUERY_CHUNK, PREFILL_BLOCK, pool);
    }

    static SambaYModel load(Checkpoint checkpoint, CpuKernels kernels, int queryChunk, int prefillBlock,
            ComputePool pool) {
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(pool, "pool");
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
        PatternConfig patterns = SparsePatterns.read(checkpoint.folder());
        SambaYModel model;
        try {
            model = new SambaYModel(config, kernels, embedding, layers, finalWeight, finalBias, head, prefillBlock,
                    patterns, pool);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(checkpoint.folder().resolve(PATTERN_FILE) + ": " + e.getMessage(), e);
        }
        log.info("SambaY model loaded: {} layers, hidden {}, {} heads / {} kv, window {}, vocab {}, context state {} "
                + "bytes + {} bytes per token", config.layers(), d, config.heads(), config.kvHeads(),
                config.slidingWindow(), config.vocabSize(), model.newContext().sizeInBytes(),
                2L * config.kvDim() * Float.BYTES);
        return model;
    }

    /** @throws IllegalArgumentException unless one layer per full-attention layer, one entry per query head */
    private void checkPatterns(PatternConfig candidate) {
        SparsePatterns.check(candidate, fullAttentionLayers, config.heads(), "full-attention layers");
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
     * Every layer once over all the contexts' new tokens: the projections and the MLP (the weights, what a decode
     * step reads) as one product over the rows; the convolutions, scans and attention per context.
     */
    @Override
    public void decodeBatch(List<ContextState> contexts, int[] tokens, float[] logitsOut) {
        LanguageModel.checkBatch(contexts, tokens, logitsOut, config.vocabSize());
        contexts.forEach(c -> c.requireLayout(config.layout()));
        int rows = contexts.size();
        int d = config.hiddenSize();
        ws.ensure(rows);
        for (int r = 0; r < rows; r++) {
            embedding.row(tokens[r]).copyTo(ws.residual, r * d);
        }
        for (DecoderLayer layer : layers) {
            layer.forwardBatch(contexts, ws);
        }
        kernels.norms().layerNorm(ws.residual, 0, ws.normed, 0, rows, d, finalNormWeight, finalNormBias,
                (float) config.layerNormEps());
        head.forward(ws.normed, 0, rows, logitsOut, 0);
        contexts.forEach(c -> c.advance(1));
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
        checkEmbeddings(state, embeddings, rows, logitsOut);
        int d = config.hiddenSize();
        for (int from = 0; from < rows; from += prefillBlock) {
            int n = Math.min(rows, from + prefillBlock) - from;
            ws.ensure(n);
            System.arraycopy(embeddings, from * d, ws.residual, 0, n * d);
            boolean lastBlock = from + n == rows;
            run(state, n, lastBlock && logitsOut != null ? 1 : 0, logitsOut, null);
        }
    }

    /** The last of {@code rows} rows of the residual stream and the GMU memory to row 0. */
    private void moveLastRowFirst(int rows) {
        int d = config.hiddenSize();
        int inner = config.innerSize();
        System.arraycopy(ws.residual, (rows - 1) * d, ws.residual, 0, d);
        System.arraycopy(ws.memory, (rows - 1) * inner, ws.memory, 0, inner);
    }

    /** The layers, final norm and head over the {@code rows} input rows already in {@code ws.residual}. */
    private void run(ContextState state, int rows, int logitRows, float[] logitsOut, float[][] hiddenStates) {
        int position = state.position();
        int d = config.hiddenSize();
        capture(hiddenStates, 0, rows);
        int active = rows;
        int activePosition = position;
        int shared = config.sharedKvLayer();
        for (int i = 0; i < layers.size(); i++) {
            if (i == shared + 1 && logitRows == 0 && hiddenStates == null) {
                break;
            }
            if (i == shared && logitRows <= 1 && active > 1 && hiddenStates == null) {
                // The shared layer's output at a row is read by the cross-decoder only, which runs for the last
                // row (or not at all): every row's keys and values go to the cache, the attention runs for the
                // last row alone. A context prefill thus attends nothing; a question only from its last token.
                DecoderLayer layer = layers.get(i);
                layer.normInput(active, ws);
                ((DifferentialAttention) layer.mixer()).appendSharedKv(active, activePosition, state, ws);
                if (logitRows == 0) {
                    break;
                }
                moveLastRowFirst(active);
                activePosition += active - 1;
                active = 1;
                layer.forwardCached(1, activePosition, state, ws);
                continue;
            }
            if (i == shared + 1 && logitRows == 1 && active > 1 && hiddenStates == null) {
                moveLastRowFirst(active);
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

    @Override
    public Optional<PatternConfig> patterns() {
        return Optional.ofNullable(patterns);
    }

    @Override
    public int patternLayers() {
        return fullAttentionLayers;
    }

    @Override
    public int patternHeads() {
        return config.heads();
    }

    /** Full-attention layers the last {@link SparsePrefill} prefill ran sparse (0: all dense). */
    @Override
    public int lastSparseLayers() {
        return lastSparseLayers;
    }

    /**
     * Fraction of the causal attention block pairs the last {@link SparsePrefill} prefill computed in its sparse
     * layers, mean over their softmax maps and heads; 1 when it ran dense.
     */
    @Override
    public double lastSparseDensity() {
        if (lastSparseLayers == 0 || lastSparsePass == null) {
            return 1;
        }
        return java.util.Arrays.stream(lastSparsePass.plans()).filter(Objects::nonNull)
                .mapToDouble(plan -> plan.blockDensity(lastSparsePass.seqLen())).average().orElse(1);
    }

    /** The last sparse pass of a full-attention layer, for tests (null before any). */
    DifferentialAttention.SparsePass lastSparsePass() {
        return lastSparsePass;
    }

    /** The layers, for tests. */
    List<DecoderLayer> layers() {
        return layers;
    }

    @Override
    public void prefill(ContextState state, int[] tokens, PrefillOptions options, Logits which, float[] logitsOut) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(which, "which");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(logitsOut, "logitsOut");
        boolean all = which == Logits.ALL_POSITIONS;
        check(state, tokens, all ? tokens.length : 1, logitsOut);
        PatternConfig chosen = sparsePatterns(state, options, tokens.length, all);
        lastSparseLayers = 0;
        if (chosen == null) {
            prefill(state, tokens, which, logitsOut);
            return;
        }
        int d = config.hiddenSize();
        float[] sequence = new float[Math.multiplyExact(tokens.length, d)];
        for (int t = 0; t < tokens.length; t++) {
            embedding.row(tokens[t]).copyTo(sequence, t * d);
        }
        runSparse(state, sequence, tokens.length, logitsOut, spansOf(options, tokens.length), chosen);
    }

    /**
     * As {@link #prefillEmbeddings(ContextState, float[], int, float[])} once the options are
     * checked: with at most the last row's logits wanted, the YOCO prefill attends for the last
     * row alone, so no pattern applies (see the class comment) and the result is the dense one.
     *
     * @throws IllegalArgumentException as the plain call, and when the options' spans do not
     *         cover exactly the rows or their patterns do not fit (nothing is changed)
     */
    @Override
    public void prefillEmbeddings(ContextState state, float[] embeddings, int rows, PrefillOptions options,
            float[] logitsOut) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(state, "state");
        checkEmbeddings(state, embeddings, rows, logitsOut);
        sparsePatterns(state, options, rows, false);
        lastSparseLayers = 0;
        prefillEmbeddings(state, embeddings, rows, logitsOut);
    }

    /**
     * Validates the options for a prefill of {@code length} rows; the patterns to run sparse
     * with, or null for the dense (or, unless every position's logits are wanted, the linear
     * YOCO) prefill.
     */
    private PatternConfig sparsePatterns(ContextState state, PrefillOptions options, int length,
            boolean allPositions) {
        if (options.spans() != null && options.spans().seqLen() != length) {
            throw new IllegalArgumentException("modality spans cover " + options.spans().seqLen() + " tokens, the "
                    + "prefill has " + length);
        }
        if (options.patterns() != null) {
            checkPatterns(options.patterns());
        }
        PatternConfig chosen = options.patterns() != null ? options.patterns() : patterns;
        long contextLength = (long) state.position() + length;
        boolean wanted = allPositions && options.wantsSparse(contextLength) && chosen != null
                && state.position() == 0
                && chosen.layers().stream().anyMatch(layer -> layer.stream().anyMatch(h -> !h.isDense()));
        return wanted ? chosen : null;
    }

    private static ModalitySpans spansOf(PrefillOptions options, int length) {
        return options.spans() != null ? options.spans()
                : ModalitySpans.single(length, dev.vstream.kernels.sparse.Modality.TEXT);
    }

    /**
     * The sparse prefill of a fresh context over the {@code total} input rows in
     * {@code sequence (total, d)} (overwritten with the residual stream): layer by layer up to
     * the last full-attention layer, then the cross-decoder on every row, whose logits
     * {@code logitsOut (total, vocab)} receives.
     */
    private void runSparse(ContextState state, float[] sequence, int total, float[] logitsOut, ModalitySpans spans,
            PatternConfig chosen) {
        int d = config.hiddenSize();
        int inner = config.innerSize();
        int shared = config.sharedKvLayer();
        float[] memory = new float[Math.multiplyExact(total, inner)];
        for (int i = 0; i <= shared; i++) {
            DecoderLayer layer = layers.get(i);
            List<HeadConfig> heads = fullAttentionIndex[i] >= 0 ? chosen.layer(fullAttentionIndex[i]) : null;
            if (heads != null && heads.stream().anyMatch(h -> !h.isDense())) {
                DifferentialAttention attention = (DifferentialAttention) layer.mixer();
                DifferentialAttention.SparsePass pass = attention.newSparsePass(total);
                for (int start = 0; start < total; start += prefillBlock) {
                    int n = Math.min(prefillBlock, total - start);
                    ws.ensure(n);
                    System.arraycopy(sequence, start * d, ws.residual, 0, n * d);
                    layer.normInput(n, ws);
                    attention.projectForSparse(n, start, state, ws, pass);
                }
                ensureSparse();
                attention.attendSparse(pass, sparse, tiled, spans, heads);
                for (int start = 0; start < total; start += prefillBlock) {
                    int n = Math.min(prefillBlock, total - start);
                    ws.ensure(n);
                    System.arraycopy(sequence, start * d, ws.residual, 0, n * d);
                    attention.outputSparse(n, start, ws, pass);
                    layer.finish(n, ws);
                    System.arraycopy(ws.residual, 0, sequence, start * d, n * d);
                }
                lastSparseLayers++;
                lastSparsePass = pass;
                continue;
            }
            boolean memoryLayer = config.kind(i) == SambaYConfig.LayerKind.MEMORY_MAMBA;
            for (int start = 0; start < total; start += prefillBlock) {
                int n = Math.min(prefillBlock, total - start);
                ws.ensure(n);
                System.arraycopy(sequence, start * d, ws.residual, 0, n * d);
                layer.forward(n, start, state, ws);
                System.arraycopy(ws.residual, 0, sequence, start * d, n * d);
                if (memoryLayer) {
                    System.arraycopy(ws.memory, 0, memory, start * inner, n * inner);
                }
            }
        }
        if (logitsOut != null) {
            int vocab = config.vocabSize();
            for (int start = 0; start < total; start += prefillBlock) {
                int n = Math.min(prefillBlock, total - start);
                ws.ensure(n);
                System.arraycopy(sequence, start * d, ws.residual, 0, n * d);
                System.arraycopy(memory, start * inner, ws.memory, 0, n * inner);
                for (int i = shared + 1; i < layers.size(); i++) {
                    layers.get(i).forward(n, start, state, ws);
                }
                kernels.norms().layerNorm(ws.residual, 0, ws.normed, 0, n, d, finalNormWeight, finalNormBias,
                        (float) config.layerNormEps());
                head.forward(ws.normed, 0, n, logitsOut, start * vocab);
            }
        }
        state.advance(total);
    }

    /** The sparse kernel on this model's pool, for tests. */
    PermutedBlockSparseAttention sparseAttention() {
        ensureSparse();
        return sparse;
    }

    /** The tiled attention under {@link #sparseAttention()}, for tests. */
    TiledAttention tiledAttention() {
        ensureSparse();
        return tiled;
    }

    /** The sparse kernel on this model's pool, made on first use. */
    private void ensureSparse() {
        if (sparse == null) {
            int blockSize = TiledAttention.TILE * Math.max(1, 64 / TiledAttention.TILE);
            tiled = new TiledAttention(pool, blockSize, config.headDim());
            sparse = new PermutedBlockSparseAttention(tiled);
        }
    }

    private void checkEmbeddings(ContextState state, float[] embeddings, int rows, float[] logitsOut) {
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
