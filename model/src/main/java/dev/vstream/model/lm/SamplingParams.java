package dev.vstream.model.lm;

import java.util.Set;

/**
 * How to pick tokens and when to stop.
 *
 * @param temperature 0 for greedy (arg-max, lowest id on ties), else logits are divided by it
 *                    before the softmax
 * @param topP        nucleus sampling: keep the smallest set of most probable tokens whose
 *                    probability reaches {@code topP} (1 keeps all); ignored when greedy
 * @param maxTokens   the most tokens to generate, at least 1
 * @param stopTokens  ids that end generation (not passed to the listener, not in the result)
 * @param seed        seed of the random generator, so a sampled answer can be reproduced
 */
public record SamplingParams(double temperature, double topP, int maxTokens, Set<Integer> stopTokens, long seed) {

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        stopTokens = Set.copyOf(stopTokens);
    }

    /** Greedy decoding of up to {@code maxTokens} tokens. */
    public static SamplingParams greedy(int maxTokens, Set<Integer> stopTokens) {
        return new SamplingParams(0, 1, maxTokens, stopTokens, 0);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
