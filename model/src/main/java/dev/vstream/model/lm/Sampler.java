package dev.vstream.model.lm;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Picks the next token from logits: greedy, or temperature plus nucleus (top-p) sampling with
 * a seeded generator (the same seed and logits give the same tokens on every JVM). Owns
 * scratch for one vocabulary; not thread-safe.
 *
 * <p>Sampling math: {@code p_i = softmax(logits / T)_i} in double; sort by probability
 * (descending, ties by lower id); keep the shortest prefix whose mass reaches {@code topP};
 * draw {@code u ~ U[0, mass)} and return the first token whose cumulative probability
 * exceeds {@code u}. Without a nucleus cut ({@code topP = 1}) the walk is in id order.
 */
public final class Sampler {

    private final SamplingParams params;
    private final RandomGenerator random;
    private double[] probabilities = new double[0];
    private Integer[] order = new Integer[0];

    public Sampler(SamplingParams params) {
        this.params = params;
        // A named algorithm, not the default, so the stream of numbers is fixed for a seed.
        this.random = RandomGeneratorFactory.of("L64X128MixRandom").create(params.seed());
    }

    /** The next token for {@code logits[0, vocab)}; {@code logits} is not modified. */
    public int sample(float[] logits, int vocab) {
        if (vocab <= 0 || vocab > logits.length) {
            throw new IllegalArgumentException("vocab " + vocab + " for " + logits.length + " logits");
        }
        if (params.isGreedy()) {
            return argMax(logits, vocab);
        }
        if (probabilities.length < vocab) {
            probabilities = new double[vocab];
            order = new Integer[vocab];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[i]);
        }
        if (Double.isNaN(max) || max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("logits have no finite maximum: cannot sample");
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            double p = Math.exp((logits[i] - max) / params.temperature());
            probabilities[i] = p;
            sum += p;
        }
        for (int i = 0; i < vocab; i++) {
            probabilities[i] /= sum;
        }
        double[] p = probabilities;
        if (params.topP() == 1) {
            return drawInIdOrder(p, vocab);
        }
        // Only tokens at least as probable as some threshold can be in the nucleus once those
        // tokens alone reach topP (every other token sorts after all of them): lower the
        // threshold until they do, then sort just those. Usually a few hundred of a 200K vocab.
        double top = 0;
        for (int i = 0; i < vocab; i++) {
            top = Math.max(top, p[i]);
        }
        int candidates;
        double threshold = top / 64;
        while (true) {
            candidates = 0;
            double candidateMass = 0;
            for (int i = 0; i < vocab; i++) {
                if (p[i] >= threshold) {
                    order[candidates++] = i;
                    candidateMass += p[i];
                }
            }
            if (candidateMass >= params.topP() || candidates == vocab || threshold == 0) {
                break;
            }
            threshold = threshold < Double.MIN_NORMAL ? 0 : threshold / 64;
        }
        Arrays.sort(order, 0, candidates, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        double mass = 0;
        int kept = 0;
        while (kept < candidates && (kept == 0 || mass < params.topP())) {
            mass += p[order[kept++]];
        }
        double u = random.nextDouble() * mass;
        double cumulative = 0;
        for (int k = 0; k < kept; k++) {
            cumulative += p[order[k]];
            if (u < cumulative) {
                return order[k];
            }
        }
        return order[kept - 1];
    }

    /** Without a nucleus cut no sort is needed: the draw walks the ids in order. */
    private int drawInIdOrder(double[] p, int vocab) {
        double u = random.nextDouble();
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < vocab; i++) {
            if (p[i] > 0) {
                cumulative += p[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last;
    }

    /** Index of the largest logit, the lowest index on ties. */
    public static int argMax(float[] logits, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
