package dev.vstream.model.nemotron;

import dev.vstream.kernels.attention.TiledAttention;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.sparse.HeadConfig;
import dev.vstream.kernels.sparse.Modality;
import dev.vstream.kernels.sparse.ModalitySpans;
import dev.vstream.kernels.sparse.PatternConfig;
import dev.vstream.kernels.sparse.PermutedBlockSparseAttention;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.lm.CausalAttention;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LanguageModel;
import dev.vstream.model.lm.LayerCache;
import dev.vstream.model.lm.MultimodalPrefill;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.lm.PrefillOptions;
import dev.vstream.model.lm.SparsePatterns;
import dev.vstream.model.lm.SparsePrefill;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelLoadException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nemotron-Flash (NVIDIA, NeurIPS 2025) in the layout of nvidia/Nemotron-Flash-1B/3B: an
 * embedding, the operators of {@code layer_types} (DeltaNet, Mamba-2, attention, FFN, each
 * {@code x <- x + op(RMSNorm(x))}), a final RMSNorm and the LM head, whose logits are divided
 * by the L2 norm of each head row (the model was trained with unit-norm rows).
 *
 * <p>Memory tokens: on the first forward of a sequence (a context at position 0) the
 * {@code num_memory_tokens} learned rows of {@code model.memory_tokens} are prepended to the
 * token embeddings and run through every operator like tokens, at positions
 * {@code 0 .. M - 1}; their outputs are dropped. They stay in the caches (attention keys
 * included), so {@link ContextState#position()} counts them: after a prompt of L tokens it is
 * {@code M + L}, the RoPE position of the next token. Later calls never prepend them again.
 *
 * <p>Prefill runs the sequence in blocks of at most {@code blockRows} positions through all
 * operators (attention sees every cached key, the recurrent mixers carry their state), which
 * bounds the scratch memory of long prompts; decode is a block of one.
 *
 * <p>Sparse prefill ({@link SparsePrefill}): when the options ask for it and the context is
 * fresh (position 0), the prefill runs operator by operator over the whole sequence (memory
 * tokens included, as a leading text span): the recurrent operators and FFNs in the same
 * blocks as above, each {@code a} operator whose heads are not all dense in one
 * {@link PermutedBlockSparseAttention} call with its layer of the {@link PatternConfig}
 * ({@code layers.get(i)} is the i-th {@code a} operator). The patterns come from the options
 * or from {@value #PATTERN_FILE} in the checkpoint folder. The KV caches are filled exactly as
 * by the dense prefill; decode and later prefills are dense. A prefill on a non-empty context
 * is dense (the kernel attends a whole sequence from position 0; a continuation such as a
 * question is short anyway).
 */
public final class NemotronFlash implements MultimodalPrefill {

    /** Positions per prefill block: large enough for the GEMM to pay, small enough to bound scratch. */
    public static final int DEFAULT_BLOCK_ROWS = 256;

    /** The per-head sparse patterns in the checkpoint folder ({@link PatternConfig} JSON), optional. */
    public static final String PATTERN_FILE = SparsePatterns.FILE;

    private static final Logger log = LoggerFactory.getLogger(NemotronFlash.class);

    private final NemotronFlashConfig config;
    private final CpuKernels kernels;
    private final Tensor embedding;     // (vocab, hidden)
    private final float[] memoryTokens; // (M, hidden)
    private final List<Operator> operators;
    private final int[] firstSlots;     // first cache slot of each operator
    private final Tensor finalNorm;     // (hidden)
    private final Linear head;          // (vocab, hidden)
    private final float[] inverseRowNorms; // (vocab): 1 / |head row|
    private final int blockRows;
    private final Scratch scratch = new Scratch();
    private final int[] oneToken = new int[1];
    private float[] residual = new float[0]; // (block rows, hidden)
    private float[] sequence = new float[0]; // (sequence rows, hidden), sparse prefill only
    private final PatternConfig patterns;    // from the checkpoint folder, or null
    private final int[] attentionIndex;      // per operator: its index among the a operators, or -1
    private final int attentionLayers;
    private final ComputePool pool;          // for the sparse kernel
    private PermutedBlockSparseAttention sparse; // made on first use
    private int lastSparseLayers;            // attention layers the last prefill ran sparse
    private double lastSparseDensity = 1;    // mean block density of those layers' plans

    private NemotronFlash(NemotronFlashConfig config, CpuKernels kernels, Tensor embedding, float[] memoryTokens,
            List<Operator> operators, Tensor finalNorm, Linear head, float[] inverseRowNorms, int blockRows,
            PatternConfig patterns, ComputePool pool) {
        this.config = config;
        this.kernels = kernels;
        this.embedding = embedding;
        this.memoryTokens = memoryTokens;
        this.operators = List.copyOf(operators);
        this.finalNorm = finalNorm;
        this.head = head;
        this.inverseRowNorms = inverseRowNorms;
        this.blockRows = blockRows;
        this.firstSlots = new int[operators.size()];
        int slot = 0;
        for (int i = 0; i < operators.size(); i++) {
            firstSlots[i] = slot;
            slot += operators.get(i).cacheSlots();
        }
        this.attentionIndex = new int[operators.size()];
        int attention = 0;
        for (int i = 0; i < operators.size(); i++) {
            attentionIndex[i] = operators.get(i) instanceof GroupedQueryAttention ? attention++ : -1;
        }
        this.attentionLayers = attention;
        this.pool = pool;
        if (patterns != null) {
            checkPatterns(patterns);
        }
        this.patterns = patterns;
    }

    /** Loads with {@link #DEFAULT_BLOCK_ROWS}; the checkpoint must stay open while the model is used. */
    public static NemotronFlash load(Checkpoint checkpoint, CpuKernels kernels) {
        return load(checkpoint, kernels, DEFAULT_BLOCK_ROWS);
    }

    /**
     * Binds the config and every tensor, checking names and shapes.
     *
     * @throws dev.vstream.model.loader.ModelLoadException naming the file and key, or the missing tensor
     * @throws dev.vstream.model.loader.ShapeMismatchException naming the tensor and both shapes
     */
    public static NemotronFlash load(Checkpoint checkpoint, CpuKernels kernels, int blockRows) {
        return load(checkpoint, kernels, blockRows, new ComputePool(1));
    }

    /**
     * As {@link #load(Checkpoint, CpuKernels, int)}, the sparse prefill attention on
     * {@code pool} (the one the kernels run on, or any other; owned by the caller). The
     * shorter overloads give it a pool of one thread, which runs on the calling thread.
     *
     * @throws ModelLoadException also when {@value #PATTERN_FILE} is present but unreadable or
     *         does not fit the attention layers
     */
    public static NemotronFlash load(Checkpoint checkpoint, CpuKernels kernels, int blockRows, ComputePool pool) {
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(pool, "pool");
        if (blockRows <= 0) {
            throw new IllegalArgumentException("blockRows must be positive, got " + blockRows);
        }
        NemotronFlashConfig config = NemotronFlashConfig.from(checkpoint.config());
        int hidden = config.hiddenSize();
        int vocab = config.vocabSize();
        Tensor embedding = checkpoint.tensor(Checkpoint.EMBED_TOKENS, vocab, hidden);
        float[] memory = config.memoryTokens() == 0 ? new float[0]
                : checkpoint.tensor("model.memory_tokens", config.memoryTokens(), hidden).toFloatArray();
        CausalAttention attention = new CausalAttention(kernels);
        List<Operator> operators = new ArrayList<>();
        for (int i = 0; i < config.operators().size(); i++) {
            String prefix = "model.layers." + i + ".";
            operators.add(switch (config.operators().get(i)) {
                case DELTANET -> new DeltaNetMixer(checkpoint, prefix, config, kernels);
                case MAMBA2 -> new Mamba2Mixer(checkpoint, prefix, config, kernels);
                case ATTENTION -> new GroupedQueryAttention(checkpoint, prefix, config, attention, kernels);
                case FFN -> new FeedForward(checkpoint, prefix, config, kernels);
            });
        }
        Tensor finalNorm = checkpoint.tensor("model.final_layernorm.weight", hidden);
        Tensor headWeight = checkpoint.lmHead(vocab, hidden);
        PatternConfig patterns = SparsePatterns.read(checkpoint.folder());
        NemotronFlash model;
        try {
            model = new NemotronFlash(config, kernels, embedding, memory, operators, finalNorm,
                    new Linear(headWeight, null, kernels), inverseRowNorms(headWeight), blockRows, patterns, pool);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(checkpoint.folder().resolve(PATTERN_FILE) + ": " + e.getMessage(), e);
        }
        log.info("Nemotron-Flash loaded: {} operators ({}), hidden {}, vocab {}, {} memory tokens, kernels {}, "
                + "sparse patterns {}", operators.size(), config.layout(), hidden, vocab, config.memoryTokens(),
                kernels.describe(), patterns == null ? "none" : PATTERN_FILE);
        return model;
    }

    /** @throws IllegalArgumentException unless {@code config} has one layer per a operator, one entry per head */
    private void checkPatterns(PatternConfig candidate) {
        SparsePatterns.check(candidate, attentionLayers, config.attentionHeads(), "attention operators");
    }

    /** {@code 1 / |W_v|_2} for every head row v, in double from the stored values. */
    private static float[] inverseRowNorms(Tensor head) {
        int vocab = (int) head.shape().dim(0);
        float[] row = new float[(int) head.shape().dim(1)];
        float[] out = new float[vocab];
        for (int v = 0; v < vocab; v++) {
            head.row(v).copyTo(row, 0);
            double sum = 0;
            for (float w : row) {
                sum += (double) w * w;
            }
            out[v] = (float) (1 / Math.sqrt(sum));
        }
        return out;
    }

    public NemotronFlashConfig config() {
        return config;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public ContextState newContext() {
        List<LayerCache> caches = new ArrayList<>();
        operators.forEach(op -> caches.addAll(op.newCaches()));
        return new ContextState(config.layout(), caches);
    }

    @Override
    public void prefill(ContextState state, int[] tokens, Logits which, float[] logitsOut) {
        Objects.requireNonNull(which, "which");
        Objects.requireNonNull(tokens, "tokens");
        if (tokens.length == 0) {
            throw new IllegalArgumentException("prefill needs at least one token");
        }
        int outputs = which == Logits.ALL_POSITIONS ? tokens.length : 1;
        run(state, tokens(tokens), which, logitsOut, outputs);
    }

    /**
     * The prompt's rows: token ids looked up in the embedding, or input embeddings given as they are (the
     * multimodal path). Memory tokens are not part of it; they are prepended on a fresh context either way.
     */
    private interface Input {
        int length();

        /** Writes row {@code i}'s input embedding to {@code out[offset, offset + hidden)}. */
        void row(int i, float[] out, int offset);
    }

    private Input tokens(int[] tokens) {
        int vocab = config.vocabSize();
        for (int token : tokens) {
            if (token < 0 || token >= vocab) {
                throw new IllegalArgumentException("token " + token + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        return new Input() {
            @Override
            public int length() {
                return tokens.length;
            }

            @Override
            public void row(int i, float[] out, int offset) {
                embedding.row(tokens[i]).copyTo(out, offset);
            }
        };
    }

    private Input embeddings(float[] embeddings, int rows) {
        int hidden = config.hiddenSize();
        Objects.requireNonNull(embeddings, "embeddings");
        if (rows <= 0) {
            throw new IllegalArgumentException("prefill needs at least one row, got " + rows);
        }
        if (embeddings.length < (long) rows * hidden) {
            throw new IllegalArgumentException("embeddings hold " + embeddings.length + " floats, " + rows + " rows of "
                    + hidden + " need " + (long) rows * hidden);
        }
        for (int i = 0; i < rows * hidden; i++) {
            if (!Float.isFinite(embeddings[i])) {
                throw new IllegalArgumentException("embedding row " + i / hidden + " holds a non-finite value");
            }
        }
        return new Input() {
            @Override
            public int length() {
                return rows;
            }

            @Override
            public void row(int i, float[] out, int offset) {
                System.arraycopy(embeddings, i * hidden, out, offset, hidden);
            }
        };
    }

    @Override
    public int embeddingSize() {
        return config.hiddenSize();
    }

    @Override
    public void embed(int token, float[] out, int offset) {
        tokens(new int[] {token}).row(0, out, offset);
    }

    /**
     * The rows as input embeddings, in blocks like {@link #prefill}; memory tokens are prepended on a fresh
     * context. {@code logitsOut} may be null (no logits).
     */
    @Override
    public void prefillEmbeddings(ContextState state, float[] embeddings, int rows, float[] logitsOut) {
        run(state, embeddings(embeddings, rows), Logits.LAST_POSITION, logitsOut, logitsOut == null ? 0 : 1);
    }

    @Override
    public void prefillEmbeddings(ContextState state, float[] embeddings, int rows, PrefillOptions options,
            float[] logitsOut) {
        prefill(state, embeddings(embeddings, rows), options, Logits.LAST_POSITION, logitsOut,
                logitsOut == null ? 0 : 1);
    }

    @Override
    public Optional<PatternConfig> patterns() {
        return Optional.ofNullable(patterns);
    }

    @Override
    public int patternLayers() {
        return attentionLayers;
    }

    @Override
    public int patternHeads() {
        return config.attentionHeads();
    }

    @Override
    public void prefill(ContextState state, int[] tokens, PrefillOptions options, Logits which, float[] logitsOut) {
        Objects.requireNonNull(which, "which");
        Objects.requireNonNull(tokens, "tokens");
        if (tokens.length == 0) {
            throw new IllegalArgumentException("prefill needs at least one token");
        }
        prefill(state, tokens(tokens), options, which, logitsOut, which == Logits.ALL_POSITIONS ? tokens.length : 1);
    }

    private void prefill(ContextState state, Input input, PrefillOptions options, Logits which, float[] logitsOut,
            int outputs) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(state, "state");
        int length = input.length();
        if (options.spans() != null && options.spans().seqLen() != length) {
            throw new IllegalArgumentException("modality spans cover " + options.spans().seqLen() + " tokens, the "
                    + "prefill has " + length);
        }
        PatternConfig chosen = options.patterns() != null ? options.patterns() : patterns;
        if (options.patterns() != null) {
            checkPatterns(options.patterns());
        }
        int memory = state.position() == 0 ? config.memoryTokens() : 0;
        lastSparseLayers = 0;
        lastSparseDensity = 1;
        long contextLength = (long) state.position() + memory + length;
        boolean sparseWanted = options.wantsSparse(contextLength) && chosen != null && state.position() == 0
                && chosen.layers().stream().anyMatch(layer -> layer.stream().anyMatch(h -> !h.isDense()));
        if (!sparseWanted) {
            run(state, input, which, logitsOut, outputs);
            return;
        }
        runSparse(state, input, which, logitsOut, outputs, withMemory(options.spans(), memory, length), chosen);
    }

    /** The spans of the whole sequence: a text span for the memory tokens, then the prompt's (all text if none). */
    private static ModalitySpans withMemory(ModalitySpans spans, int memory, int tokens) {
        List<ModalitySpans.Span> all = new ArrayList<>();
        List<ModalitySpans.Span> prompt = spans != null ? spans.spans()
                : List.of(new ModalitySpans.Span(0, tokens, Modality.TEXT));
        if (memory > 0) {
            all.add(new ModalitySpans.Span(0, memory, Modality.TEXT));
        }
        for (ModalitySpans.Span span : prompt) {
            ModalitySpans.Span shifted = new ModalitySpans.Span(span.start() + memory, span.end() + memory,
                    span.modality());
            ModalitySpans.Span last = all.isEmpty() ? null : all.getLast();
            if (last != null && last.modality() == shifted.modality()) {
                all.set(all.size() - 1, new ModalitySpans.Span(last.start(), shifted.end(), last.modality()));
            } else {
                all.add(shifted);
            }
        }
        return new ModalitySpans(all);
    }

    /**
     * The sparse prefill of a fresh context: operator by operator over the whole sequence; the
     * non-attention operators and the all-dense attention layers in the blocks of {@link #run},
     * the other attention layers in one sparse call.
     */
    private void runSparse(ContextState state, Input input, Logits which, float[] logitsOut, int outputs,
            ModalitySpans spans, PatternConfig chosen) {
        state.requireLayout(config.layout());
        checkLogits(logitsOut, outputs);
        int hidden = config.hiddenSize();
        int memory = config.memoryTokens();
        int total = memory + input.length();
        long size = (long) total * hidden;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("sparse prefill of " + total + " positions x " + hidden
                    + " exceeds one Java array");
        }
        if (sequence.length < size) {
            sequence = new float[(int) size];
        }
        for (int start = 0; start < total; start += blockRows) {
            int rows = Math.min(blockRows, total - start);
            float[] block = embed(input, memory, start, rows);
            System.arraycopy(block, 0, sequence, start * hidden, rows * hidden);
        }
        for (int i = 0; i < operators.size(); i++) {
            Operator operator = operators.get(i);
            List<HeadConfig> heads = attentionIndex[i] >= 0 ? chosen.layer(attentionIndex[i]) : null;
            if (heads != null && heads.stream().anyMatch(h -> !h.isDense())) {
                GroupedQueryAttention.SparseTrace trace = ((GroupedQueryAttention) operator).forwardSparse(sequence,
                        total, state, firstSlots[i], scratch, sparseAttention(), spans, heads, blockRows);
                lastSparseLayers++;
                lastSparseDensity += (trace.plan().blockDensity(total) - lastSparseDensity) / lastSparseLayers;
                if (log.isDebugEnabled()) {
                    log.debug("sparse prefill operator {} ({} positions): {}", i, total,
                            trace.plan().heads().stream().map(h -> h.label()).toList());
                }
                continue;
            }
            for (int start = 0; start < total; start += blockRows) {
                int rows = Math.min(blockRows, total - start);
                System.arraycopy(sequence, start * hidden, residual, 0, rows * hidden);
                operator.forward(residual, rows, start, state, firstSlots[i], scratch);
                System.arraycopy(residual, 0, sequence, start * hidden, rows * hidden);
            }
        }
        state.advance(total);
        if (outputs == 0) {
            return;
        }
        if (which == Logits.ALL_POSITIONS) {
            logits(sequence, memory, input.length(), logitsOut, 0);
        } else {
            logits(sequence, total - 1, 1, logitsOut, 0);
        }
    }

    /** Checks {@code logitsOut} holds {@code outputs} rows of logits (none needed when outputs is 0). */
    private void checkLogits(float[] logitsOut, int outputs) {
        if (outputs == 0) {
            return;
        }
        Objects.requireNonNull(logitsOut, "logitsOut");
        if (logitsOut.length < (long) outputs * config.vocabSize()) {
            throw new IllegalArgumentException("logitsOut has " + logitsOut.length + " floats, needs " + outputs
                    + " x " + config.vocabSize());
        }
    }

    /** The sparse kernel on this model's pool, made on first use. */
    PermutedBlockSparseAttention sparseAttention() {
        if (sparse == null) {
            int blockSize = TiledAttention.TILE * Math.max(1, 64 / TiledAttention.TILE);
            sparse = new PermutedBlockSparseAttention(new TiledAttention(pool, blockSize, config.headDim()));
        }
        return sparse;
    }

    /** Attention layers the last {@link SparsePrefill} prefill ran sparse (0: all dense). */
    @Override
    public int lastSparseLayers() {
        return lastSparseLayers;
    }

    @Override
    public double lastSparseDensity() {
        return lastSparseDensity;
    }

    /** The operators, for tests. */
    List<Operator> operators() {
        return operators;
    }

    /** The first cache slot of operator {@code i}, for tests. */
    int firstSlot(int i) {
        return firstSlots[i];
    }

    /** The shared scratch, for tests that run one operator. */
    Scratch scratch() {
        return scratch;
    }

    @Override
    public void decodeStep(ContextState state, int token, float[] logitsOut) {
        oneToken[0] = token;
        run(state, tokens(oneToken), Logits.LAST_POSITION, logitsOut, 1);
    }

    /**
     * Every operator once over all the contexts' new tokens: the projections as one product over the rows, what
     * carries state per context. A context still at position 0 (its memory tokens not yet in) is stepped alone.
     */
    @Override
    public void decodeBatch(List<ContextState> contexts, int[] tokens, float[] logitsOut) {
        LanguageModel.checkBatch(contexts, tokens, logitsOut, config.vocabSize());
        contexts.forEach(c -> c.requireLayout(config.layout()));
        if (contexts.stream().anyMatch(c -> c.position() == 0)) {
            MultimodalPrefill.super.decodeBatch(contexts, tokens, logitsOut);
            return;
        }
        int rows = contexts.size();
        float[] x = embed(tokens(tokens), 0, 0, rows);
        for (int i = 0; i < operators.size(); i++) {
            operators.get(i).forwardBatch(x, contexts, firstSlots[i], scratch);
        }
        contexts.forEach(c -> c.advance(1));
        logits(x, 0, rows, logitsOut, 0);
    }

    /** Runs {@code input} through the model in blocks; {@code outputs} rows of logits (0: none). */
    private void run(ContextState state, Input input, Logits which, float[] logitsOut, int outputs) {
        Objects.requireNonNull(state, "state");
        state.requireLayout(config.layout());
        checkLogits(logitsOut, outputs);
        int vocab = config.vocabSize();
        int memory = state.position() == 0 ? config.memoryTokens() : 0;
        int total = memory + input.length();
        for (int start = 0; start < total; start += blockRows) {
            int rows = Math.min(blockRows, total - start);
            float[] x = embed(input, memory, start, rows);
            int firstPosition = state.position();
            for (int i = 0; i < operators.size(); i++) {
                operators.get(i).forward(x, rows, firstPosition, state, firstSlots[i], scratch);
            }
            state.advance(rows);
            if (which == Logits.ALL_POSITIONS) {
                int firstToken = Math.max(start, memory); // sequence index of the block's first real token
                if (firstToken < start + rows) {
                    logits(x, firstToken - start, start + rows - firstToken, logitsOut, (firstToken - memory) * vocab);
                }
            } else if (start + rows == total && outputs > 0) {
                logits(x, rows - 1, 1, logitsOut, 0);
            }
        }
    }

    /** The residual stream of sequence rows {@code [start, start + rows)}: memory tokens first, then embeddings. */
    private float[] embed(Input input, int memory, int start, int rows) {
        int hidden = config.hiddenSize();
        if (residual.length < rows * hidden) {
            residual = new float[rows * hidden];
        }
        for (int r = 0; r < rows; r++) {
            int index = start + r;
            if (index < memory) {
                System.arraycopy(memoryTokens, index * hidden, residual, r * hidden, hidden);
            } else {
                input.row(index - memory, residual, r * hidden);
            }
        }
        return residual;
    }

    /** Logits of {@code count} rows of {@code x} from {@code firstRow}: final norm, head, row-norm division. */
    private void logits(float[] x, int firstRow, int count, float[] out, int outOffset) {
        int hidden = config.hiddenSize();
        int vocab = config.vocabSize();
        float[] normed = scratch.get(Scratch.NORMED, (long) count * hidden);
        kernels.norms().rmsNorm(x, firstRow * hidden, normed, 0, count, hidden, finalNorm, (float) config.rmsNormEps());
        head.forward(normed, 0, count, out, outOffset);
        for (int r = 0; r < count; r++) {
            kernels.elementwise().mul(out, outOffset + r * vocab, inverseRowNorms, 0, vocab);
        }
    }

    @Override
    public String toString() {
        return "NemotronFlash[" + config.layout() + ", vocab " + config.vocabSize() + "]";
    }
}
