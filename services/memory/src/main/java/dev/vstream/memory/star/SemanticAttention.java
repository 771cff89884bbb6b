package dev.vstream.memory.star;

import dev.vstream.memory.cluster.FeatureShapeException;
import dev.vstream.memory.cluster.SplitMix64;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The learned query and key projections of the abstract memory's semantic attention (Flash-VStream 2024,
 * section 3.3; {@code NeuralTuringMachine.q_proj / k_proj}, Linear(C -> d) with bias). Values are the raw
 * features: the original's v_proj/out_proj are not on the live path.
 *
 * @param queryWeight (dim, channels) PyTorch Linear layout
 * @param queryBias   (dim)
 * @param keyWeight   (dim, channels)
 * @param keyBias     (dim)
 * @param dim         d, 32 in the paper
 * @param channels    C
 */
public record SemanticAttention(float[] queryWeight, float[] queryBias, float[] keyWeight, float[] keyBias,
                                int dim, int channels) {

    public SemanticAttention {
        Objects.requireNonNull(queryWeight, "queryWeight");
        Objects.requireNonNull(queryBias, "queryBias");
        Objects.requireNonNull(keyWeight, "keyWeight");
        Objects.requireNonNull(keyBias, "keyBias");
        if (dim < 1 || channels < 1) {
            throw new FeatureShapeException("semantic attention needs positive sizes, got d=" + dim + " C=" + channels);
        }
        requireLength("queryWeight", queryWeight, (long) dim * channels);
        requireLength("keyWeight", keyWeight, (long) dim * channels);
        requireLength("queryBias", queryBias, dim);
        requireLength("keyBias", keyBias, dim);
    }

    /**
     * Loads {@code <prefix>q_proj.weight}, {@code q_proj.bias}, {@code k_proj.weight}, {@code k_proj.bias} from a
     * safetensors file (F32, F16 or BF16); a missing bias reads as zeros.
     */
    public static SemanticAttention load(Path file, String prefix) throws IOException {
        SafetensorsReader.Contents contents = SafetensorsReader.read(file);
        SafetensorsReader.Tensor q = contents.tensor(prefix + "q_proj.weight");
        SafetensorsReader.Tensor k = contents.tensor(prefix + "k_proj.weight");
        if (q.shape().length != 2 || k.shape().length != 2 || q.shape()[0] != k.shape()[0]
                || q.shape()[1] != k.shape()[1]) {
            throw new FeatureShapeException(file + ": q_proj.weight " + java.util.Arrays.toString(q.shape())
                    + " and k_proj.weight " + java.util.Arrays.toString(k.shape()) + " must both be (d, C)");
        }
        int dim = Math.toIntExact(q.shape()[0]);
        int channels = Math.toIntExact(q.shape()[1]);
        return new SemanticAttention(q.toFloats(), bias(contents, prefix + "q_proj.bias", dim),
                k.toFloats(), bias(contents, prefix + "k_proj.bias", dim), dim, channels);
    }

    /** PyTorch's Linear initialisation, U(-1/sqrt(C), 1/sqrt(C)) for weights and biases, from a seeded SplitMix64. */
    public static SemanticAttention random(int dim, int channels, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        double bound = 1.0 / Math.sqrt(channels);
        float[] qw = uniform(rng, dim * channels, bound);
        float[] qb = uniform(rng, dim, bound);
        float[] kw = uniform(rng, dim * channels, bound);
        float[] kb = uniform(rng, dim, bound);
        return new SemanticAttention(qw, qb, kw, kb, dim, channels);
    }

    /** out[t, :] = W x_t + b for {@code tokens} rows of {@code x} (tokens, channels); out is (tokens, dim). */
    void project(boolean query, float[] x, int offset, int tokens, double[] out) {
        float[] weight = query ? queryWeight : keyWeight;
        float[] bias = query ? queryBias : keyBias;
        for (int t = 0; t < tokens; t++) {
            int row = offset + t * channels;
            for (int j = 0; j < dim; j++) {
                double s = bias[j];
                int w = j * channels;
                for (int c = 0; c < channels; c++) {
                    s += (double) weight[w + c] * x[row + c];
                }
                out[t * dim + j] = s;
            }
        }
    }

    private static float[] bias(SafetensorsReader.Contents contents, String name, int dim) {
        return contents.tensors().containsKey(name) ? contents.tensor(name).toFloats() : new float[dim];
    }

    private static float[] uniform(SplitMix64 rng, int n, double bound) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
        return out;
    }

    private static void requireLength(String name, float[] values, long expected) {
        if (values.length != expected) {
            throw new FeatureShapeException(name + " needs " + expected + " values, got " + values.length);
        }
    }
}
