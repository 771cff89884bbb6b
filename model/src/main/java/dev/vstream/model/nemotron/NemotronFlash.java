package dev.vstream.model.nemotron;

import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.lm.CausalAttention;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LanguageModel;
import dev.vstream.model.lm.LayerCache;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.loader.Checkpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 */
public final class NemotronFlash implements LanguageModel {

    /** Positions per prefill block: large enough for the GEMM to pay, small enough to bound scratch. */
    public static final int DEFAULT_BLOCK_ROWS = 256;

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

    private NemotronFlash(NemotronFlashConfig config, CpuKernels kernels, Tensor embedding, float[] memoryTokens,
            List<Operator> operators, Tensor finalNorm, Linear head, float[] inverseRowNorms, int blockRows) {
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
        Objects.requireNonNull(kernels, "kernels");
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
        NemotronFlash model = new NemotronFlash(config, kernels, embedding, memory, operators, finalNorm,
                new Linear(headWeight, null, kernels), inverseRowNorms(headWeight), blockRows);
        log.info("Nemotron-Flash loaded: {} operators ({}), hidden {}, vocab {}, {} memory tokens, kernels {}",
                operators.size(), config.layout(), hidden, vocab, config.memoryTokens(), kernels.describe());
        return model;
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
        run(state, tokens, which, logitsOut, outputs);
    }

    @Override
    public void decodeStep(ContextState state, int token, float[] logitsOut) {
        oneToken[0] = token;
        run(state, oneToken, Logits.LAST_POSITION, logitsOut, 1);
    }

    private void run(ContextState state, int[] tokens, Logits which, float[] logitsOut, int outputs) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(logitsOut, "logitsOut");
        state.requireLayout(config.layout());
        int vocab = config.vocabSize();
        for (int token : tokens) {
            if (token < 0 || token >= vocab) {
                throw new IllegalArgumentException("token " + token + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if (logitsOut.length < (long) outputs * vocab) {
            throw new IllegalArgumentException("logitsOut has " + logitsOut.length + " floats, needs " + outputs
                    + " x " + vocab);
        }
        int memory = state.position() == 0 ? config.memoryTokens() : 0;
        int total = memory + tokens.length;
        for (int start = 0; start < total; start += blockRows) {
            int rows = Math.min(blockRows, total - start);
            float[] x = embed(tokens, memory, start, rows);
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
            } else if (start + rows == total) {
                logits(x, rows - 1, 1, logitsOut, 0);
            }
        }
    }

    /** The residual stream of sequence rows {@code [start, start + rows)}: memory tokens first, then embeddings. */
    private float[] embed(int[] tokens, int memory, int start, int rows) {
        int hidden = config.hiddenSize();
        if (residual.length < rows * hidden) {
            residual = new float[rows * hidden];
        }
        for (int r = 0; r < rows; r++) {
            int index = start + r;
            if (index < memory) {
                System.arraycopy(memoryTokens, index * hidden, residual, r * hidden, hidden);
            } else {
                embedding.row(tokens[index - memory]).copyTo(residual, r * hidden);
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
