package dev.vstream.memory.star;

import dev.vstream.memory.cluster.MemoryStateException;
import dev.vstream.memory.cluster.StateInput;
import dev.vstream.memory.cluster.StateOutput;

/**
 * Abstract memory A of STAR (Flash-VStream 2024, section 3.3, "semantic attention"): N_abs slots of P_abs^2
 * tokens, filled by the first N_abs frames, then updated by momentum with each chunk E of new tokens:
 * <pre>
 *   W = alpha * softmax_rows((M Wq^T + bq)(E Wk^T + bk)^T / sqrt(d))     (slots*P_abs^2, chunk*P_abs^2)
 *   M <- (1 - alpha) M + W E                                            (rows of W sum to alpha)
 * </pre>
 * The same weights move each token's time, t <- (1 - alpha) t + W t_E, so a slot's timestamp is the
 * attention-weighted time of what it absorbed.
 */
final class AbstractMemory {

    private final StarMemoryConfig config;
    private final SemanticAttention attention;
    private final int tokensPerFrame;
    private final int capacityTokens;
    private final int chunkTokens;
    private final float[] memory;          // (abstractSlots * P_abs^2, channels)
    private final double[] times;          // (abstractSlots * P_abs^2) micros
    private final float[] pending;         // (chunk * P_abs^2, channels) frames waiting for the next update
    private final double[] pendingTimes;   // (chunk * P_abs^2)
    private final double[] queries;        // (capacityTokens, dim)
    private final double[] keys;           // (chunkTokens, dim)
    private final double[] scores;         // (chunkTokens)
    private final double[] mixed;          // (channels)
    private int filledFrames;
    private int pendingFrames;

    AbstractMemory(StarMemoryConfig config, SemanticAttention attention) {
        if (attention.channels() != config.channels() || attention.dim() != config.attentionDim()) {
            throw new dev.vstream.memory.cluster.FeatureShapeException("semantic attention is " + attention.dim()
                    + "x" + attention.channels() + ", the memory needs " + config.attentionDim() + "x"
                    + config.channels());
        }
        this.config = config;
        this.attention = attention;
        this.tokensPerFrame = config.abstractTokens();
        this.capacityTokens = config.abstractSlots() * tokensPerFrame;
        this.chunkTokens = config.abstractChunkFrames() * tokensPerFrame;
        this.memory = new float[capacityTokens * config.channels()];
        this.times = new double[capacityTokens];
        this.pending = new float[chunkTokens * config.channels()];
        this.pendingTimes = new double[chunkTokens];
        this.queries = new double[capacityTokens * config.attentionDim()];
        this.keys = new double[chunkTokens * config.attentionDim()];
        this.scores = new double[chunkTokens];
        this.mixed = new double[config.channels()];
    }

    /** Adds one frame pooled to P_abs x P_abs: (P_abs^2, channels) at {@code offset}. */
    void update(float[] tokens, int offset, long timestampMicros) {
        int channels = config.channels();
        int frameValues = tokensPerFrame * channels;
        if (filledFrames < config.abstractSlots()) {
            System.arraycopy(tokens, offset, memory, filledFrames * frameValues, frameValues);
            java.util.Arrays.fill(times, filledFrames * tokensPerFrame, (filledFrames + 1) * tokensPerFrame,
                    timestampMicros);
            filledFrames++;
            return;
        }
        System.arraycopy(tokens, offset, pending, pendingFrames * frameValues, frameValues);
        java.util.Arrays.fill(pendingTimes, pendingFrames * tokensPerFrame, (pendingFrames + 1) * tokensPerFrame,
                timestampMicros);
        pendingFrames++;
        if (pendingFrames == config.abstractChunkFrames()) {
            absorbPending();
            pendingFrames = 0;
        }
    }

    private void absorbPending() {
        int channels = config.channels();
        int dim = config.attentionDim();
        double alpha = config.abstractUpdateRatio();
        double scale = 1.0 / Math.sqrt(dim);
        attention.project(true, memory, 0, capacityTokens, queries);
        attention.project(false, pending, 0, chunkTokens, keys);
        for (int m = 0; m < capacityTokens; m++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int e = 0; e < chunkTokens; e++) {
                double s = 0;
                for (int j = 0; j < dim; j++) {
                    s += queries[m * dim + j] * keys[e * dim + j];
                }
                scores[e] = s * scale;
                max = Math.max(max, scores[e]);
            }
            double total = 0;
            for (int e = 0; e < chunkTokens; e++) {
                scores[e] = Math.exp(scores[e] - max);
                total += scores[e];
            }
            java.util.Arrays.fill(mixed, 0);
            double time = 0;
            for (int e = 0; e < chunkTokens; e++) {
                double w = alpha * scores[e] / total;
                time += w * pendingTimes[e];
                int row = e * channels;
                for (int c = 0; c < channels; c++) {
                    mixed[c] += w * pending[row + c];
                }
            }
            int row = m * channels;
            for (int c = 0; c < channels; c++) {
                memory[row + c] = (float) ((1 - alpha) * memory[row + c] + mixed[c]);
            }
            times[m] = (1 - alpha) * times[m] + time;
        }
    }

    /** Tokens held: P_abs^2 per filled slot. */
    int tokens() {
        return filledFrames * tokensPerFrame;
    }

    float[] memory() {
        return memory;
    }

    long timestampMicros(int token) {
        return Math.round(times[token]);
    }

    /** Bytes {@link #writeTo} writes now. */
    long stateBytes() {
        long tokens = (long) (filledFrames + pendingFrames) * tokensPerFrame;
        return 8 + tokens * (4L * config.channels() + 8);
    }

    void writeTo(StateOutput out) {
        int channels = config.channels();
        out.writeInt(filledFrames);
        out.writeInt(pendingFrames);
        out.writeFloats(memory, 0, filledFrames * tokensPerFrame * channels);
        out.writeDoubles(times, 0, filledFrames * tokensPerFrame);
        out.writeFloats(pending, 0, pendingFrames * tokensPerFrame * channels);
        out.writeDoubles(pendingTimes, 0, pendingFrames * tokensPerFrame);
    }

    void readFrom(StateInput in) {
        int channels = config.channels();
        filledFrames = in.readInt();
        pendingFrames = in.readInt();
        if (filledFrames < 0 || filledFrames > config.abstractSlots() || pendingFrames < 0
                || pendingFrames >= config.abstractChunkFrames()
                || (pendingFrames > 0 && filledFrames < config.abstractSlots())) {
            throw new MemoryStateException("abstract memory counts out of range: filled=" + filledFrames
                    + " pending=" + pendingFrames);
        }
        in.readFloats(memory, 0, filledFrames * tokensPerFrame * channels);
        in.readDoubles(times, 0, filledFrames * tokensPerFrame);
        in.readFloats(pending, 0, pendingFrames * tokensPerFrame * channels);
        in.readDoubles(pendingTimes, 0, pendingFrames * tokensPerFrame);
    }
}
