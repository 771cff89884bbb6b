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

    /** On a large vocabulary every draw lies in the nucleus computed by a full sort. */
    @Test
    void topPOnALargeVocabularyMatchesTheFullSortNucleus() {
        int vocab = 20_000;
        java.util.Random random = new java.util.Random(11);
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        double topP = 0.9;
        double[] p = softmax(logits, 0.7);
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        java.util.Set<Integer> nucleus = new java.util.HashSet<>();
        double mass = 0;
        for (int k = 0; mass < topP; k++) {
            nucleus.add(order[k]);
            mass += p[order[k]];
        }
        Sampler sampler = new Sampler(new SamplingParams(0.7, topP, 1, Set.of(), 5));
        java.util.Set<Integer> drawn = new java.util.HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            drawn.add(sampler.sample(logits, vocab));
        }
        assertThat(nucleus).containsAll(drawn);
        assertThat(drawn.size()).isGreaterThan(Math.min(nucleus.size(), 2_000) / 4);
    }
}
