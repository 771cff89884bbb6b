package dev.vstream.model.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.nemotron.NemotronFlash;
import dev.vstream.model.sambay.SambaYModel;
import dev.vstream.model.testing.GoldenResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A batched decode step equals one decode step per context: contexts at different positions (one past SambaY's
 * sliding window, one resumed from a snapshot), joining and leaving the batch between steps. With the scalar
 * kernels (each output row reduced alone, in double) bit for bit; with the vector kernels, whose matrix products
 * over several rows sum in another order than over one, within fp32 rounding.
 */
class DecodeBatchTest {

    @ParameterizedTest
    @ValueSource(strings = {"sambay/SCALAR", "sambay/VECTOR", "nemotron/SCALAR", "nemotron/VECTOR"})
    void aBatchedStepEqualsOneStepPerContext(String modelAndKernels) {
        String family = modelAndKernels.substring(0, modelAndKernels.indexOf('/'));
        CpuKernels.Choice choice = CpuKernels.Choice.valueOf(modelAndKernels.substring(family.length() + 1));
        try (ComputePool pool = new ComputePool(2);
             Checkpoint checkpoint = Checkpoint.open(GoldenResources.path(family,
                     family.equals("sambay") ? "sambay_tiny" : "flash_tiny"))) {
            CpuKernels kernels = CpuKernels.select(choice, CpuFeatures.detect(), pool);
            Function<Checkpoint, LanguageModel> load = family.equals("sambay")
                    ? c -> SambaYModel.load(c, kernels) : c -> NemotronFlash.load(c, kernels);
            LanguageModel batched = load.apply(checkpoint);
            LanguageModel single = load.apply(checkpoint);
            int vocab = batched.vocabSize();
            Random random = new Random(17);
            int[] promptLengths = {3, 11, 1, 6};
            List<ContextState> mine = new ArrayList<>();
            List<ContextState> theirs = new ArrayList<>();
            float[] logits = new float[vocab];
            for (int length : promptLengths) {
                int[] prompt = random.ints(length, 0, vocab).toArray();
                ContextState a = batched.newContext();
                batched.prefill(a, prompt, logits);
                ContextState b = single.newContext();
                single.prefill(b, prompt, logits);
                mine.add(length == 6 ? a.snapshot().resume() : a); // a resumed context (frozen KV prefix)
                theirs.add(b);
            }
            float[] expected = new float[vocab];
            for (int step = 0; step < 7; step++) {
                // Context 3 joins at step 2; context 0 leaves after step 4.
                List<Integer> members = new ArrayList<>();
                for (int i = 0; i < mine.size(); i++) {
                    if (!(i == 3 && step < 2) && !(i == 0 && step > 4)) {
                        members.add(i);
                    }
                }
                List<ContextState> batch = members.stream().map(mine::get).toList();
                int[] tokens = members.stream().mapToInt(i -> random.nextInt(vocab)).toArray();
                float[] out = new float[batch.size() * vocab];
                batched.decodeBatch(batch, tokens, out);
                for (int m = 0; m < members.size(); m++) {
                    ContextState reference = theirs.get(members.get(m));
                    single.decodeStep(reference, tokens[m], expected);
                    assertThat(batch.get(m).position()).isEqualTo(reference.position());
                    for (int v = 0; v < vocab; v++) {
                        float actual = out[m * vocab + v];
                        if (choice == CpuKernels.Choice.SCALAR) {
                            assertThat(actual).as("%s step %d context %d logit %d", modelAndKernels, step,
                                    members.get(m), v).isEqualTo(expected[v]);
                        } else {
                            assertThat((double) actual).as("%s step %d context %d logit %d", modelAndKernels, step,
                                    members.get(m), v).isCloseTo(expected[v], org.assertj.core.data.Offset.offset(
                                    1e-4 + 1e-4 * Math.abs(expected[v])));
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sambay", "nemotron"})
    void badBatchesAreRefusedBeforeAnythingChanges(String family) {
        try (ComputePool pool = new ComputePool(1);
             Checkpoint checkpoint = Checkpoint.open(GoldenResources.path(family,
                     family.equals("sambay") ? "sambay_tiny" : "flash_tiny"))) {
            CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.SCALAR, CpuFeatures.detect(), pool);
            LanguageModel model = family.equals("sambay") ? SambaYModel.load(checkpoint, kernels)
                    : NemotronFlash.load(checkpoint, kernels);
            int vocab = model.vocabSize();
            ContextState a = model.newContext();
            model.prefill(a, new int[] {1, 2}, new float[vocab]);
            ContextState b = model.newContext();
            model.prefill(b, new int[] {3}, new float[vocab]);
            int before = a.position();
            assertThatThrownBy(() -> model.decodeBatch(List.of(a, a), new int[] {1, 2}, new float[2 * vocab]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
            assertThatThrownBy(() -> model.decodeBatch(List.of(a, b), new int[] {1}, new float[2 * vocab]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 contexts and 1 tokens");
            assertThatThrownBy(() -> model.decodeBatch(List.of(a, b), new int[] {1, 2}, new float[vocab]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not fit");
            assertThatThrownBy(() -> model.decodeBatch(List.of(a, b), new int[] {1, vocab}, new float[2 * vocab]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
            assertThat(a.position()).isEqualTo(before);
        }
    }
}
