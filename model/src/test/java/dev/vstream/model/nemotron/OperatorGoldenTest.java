package dev.vstream.model.nemotron;

import static dev.vstream.model.nemotron.FlashGoldens.OPERATOR_REL_TOLERANCE;

import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.model.lm.CausalAttention;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.loader.Checkpoint;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each operator on its own: fed the reference's residual stream before it
 * ({@code hidden_states.i}, memory rows included), it must produce the reference's stream after
 * it ({@code hidden_states.i+1}), both as one block and one position at a time. Localises a
 * mismatch of the full model to the operator that causes it.
 */
class OperatorGoldenTest {

    private static Operator operator(Checkpoint checkpoint, int index, CpuKernels kernels) {
        NemotronFlashConfig config = NemotronFlashConfig.from(checkpoint.config());
        String prefix = "model.layers." + index + ".";
        return switch (config.operators().get(index)) {
            case DELTANET -> new DeltaNetMixer(checkpoint, prefix, config, kernels);
            case MAMBA2 -> new Mamba2Mixer(checkpoint, prefix, config, kernels);
            case ATTENTION -> new GroupedQueryAttention(checkpoint, prefix, config, new CausalAttention(kernels), kernels);
            case FFN -> new FeedForward(checkpoint, prefix, config, kernels);
        };
    }

    @ParameterizedTest
    @CsvSource({"0, vector", "1, vector", "2, vector", "3, vector", "4, vector", "5, vector", "6, vector", "7, vector",
            "0, scalar", "2, scalar", "4, scalar"})
    void eachOperatorMapsTheReferenceStreamToTheNextOne(int index, String kernels) {
        try (Checkpoint checkpoint = Checkpoint.open(FlashGoldens.path("flash_tiny"))) {
            Operator op = operator(checkpoint, index, FlashGoldens.kernels(kernels));
            String type = NemotronFlashConfig.from(checkpoint.config()).operators().get(index).code();
            int hidden = checkpoint.config().getInt("hidden_size");
            float[] before = FlashGoldens.read("hidden_states." + index);
            float[] after = FlashGoldens.read("hidden_states." + (index + 1));
            int rows = before.length / hidden;

            float[] block = before.clone();
            op.forward(block, rows, 0, new ContextState("operator " + index, op.newCaches()), 0, new Scratch());
            FlashGoldens.compare("operator " + index + " (" + type + ") " + kernels + ", one block", block, after)
                    .assertRelBelow(OPERATOR_REL_TOLERANCE);

            ContextState state = new ContextState("operator " + index, op.newCaches());
            Scratch scratch = new Scratch();
            float[] stepped = new float[before.length];
            for (int t = 0; t < rows; t++) {
                float[] row = Arrays.copyOfRange(before, t * hidden, (t + 1) * hidden);
                op.forward(row, 1, t, state, 0, scratch);
                System.arraycopy(row, 0, stepped, t * hidden, hidden);
            }
            FlashGoldens.compare("operator " + index + " (" + type + ") " + kernels + ", by position", stepped, after)
                    .assertRelBelow(OPERATOR_REL_TOLERANCE);
        }
    }
}
