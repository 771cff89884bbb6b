package dev.vstream.model.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final float[] LOGITS = {1f, 3f, 2f, 3f, -1f};

    @Test
    void greedyTakesTheLowestIdOfTheMaximum() {
        Sampler sampler = new Sampler(SamplingParams.greedy(1, Set.of()));
        assertThat(sampler.sample(LOGITS, LOGITS.length)).isEqualTo(1);
        assertThat(Sampler.argMax(LOGITS, 3)).isEqualTo(1);
    }

    @Test
    void theSameSeedGivesTheSameTokens() {
        int[] first = draw(new SamplingParams(1.0, 1.0, 1, Set.of(), 42), 200);
        int[] second = draw(new SamplingParams(1.0, 1.0, 1, Set.of(), 42), 200);
        int[] other = draw(new SamplingParams(1.0, 1.0, 1, Set.of(), 43), 200);
        assertThat(first).isEqualTo(second);
        assertThat(first).isNotEqualTo(other);
    }

    @Test
    void frequenciesFollowTheSoftmaxOfLogitsOverTemperature() {
        double temperature = 2.0;
        int draws = 200_000;
        int[] tokens = draw(new SamplingParams(temperature, 1.0, 1, Set.of(), 7), draws);
        double[] expected = softmax(LOGITS, temperature);
        int[] counts = new int[LOGITS.length];
        for (int t : tokens) {
            counts[t]++;
        }
        for (int i = 0; i < LOGITS.length; i++) {
            // 5 standard deviations of a binomial count.
            double sigma = Math.sqrt(draws * expected[i] * (1 - expected[i]));
            assertThat((double) counts[i]).as("token %d", i).isCloseTo(draws * expected[i],
                    org.assertj.core.data.Offset.offset(5 * sigma + 1));
        }
    }

    @Test
    void topPKeepsOnlyTheNucleus() {
        // softmax at T=1: ids 1 and 3 have p = 0.39 each, id 2 0.14, id 0 0.05, id 4 0.007.
        int[] tokens = draw(new SamplingParams(1.0, 0.7, 1, Set.of(), 3), 5_000);
        assertThat(tokens).containsOnly(1, 3);
        int[] wider = draw(new SamplingParams(1.0, 0.85, 1, Set.of(), 3), 5_000);
        assertThat(wider).contains(1, 2, 3).doesNotContain(0, 4);
    }

    @Test
    void tinyTemperatureIsGreedyAndBadParamsAreRefused() {
        assertThat(draw(new SamplingParams(1e-4, 0.9, 1, Set.of(), 1), 100)).containsOnly(1, 3);
        assertThatThrownBy(() -> new SamplingParams(-1, 1, 1, Set.of(), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SamplingParams(1, 0, 1, Set.of(), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SamplingParams(1, 1, 0, Set.of(), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static int[] draw(SamplingParams params, int n) {
        Sampler sampler = new Sampler(params);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = sampler.sample(LOGITS, LOGITS.length);
        }
        return out;
    }

    private static double[] softmax(float[] logits, double temperature) {
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] / temperature);
            sum += p[i];
        }
        for (int i = 0; i < logits.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
