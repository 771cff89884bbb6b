package dev.vstream.model.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.vstream.model.loader.ModelLoadException;
import org.junit.jupiter.api.Test;

class ActivationTest {

    /** erf on both sides of the series / continued-fraction switch at 2.5; values from C99 erf (Python math.erf). */
    @Test
    void erfMatchesReferenceValues() {
        double[][] cases = {
            {0.0, 0.0}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1.0, 0.8427007929497149},
            {2.0, 0.9953222650189527}, {2.4999, 0.9995928300996666}, {2.5, 0.999593047982555},
            {3.0, 0.9999779095030014}, {4.0, 0.9999999845827421}, {5.9, 0.9999999999999999}, {7.0, 1.0},
        };
        for (double[] c : cases) {
            assertThat(Activation.erf(c[0])).as("erf(%s)", c[0]).isCloseTo(c[1], within(1e-15));
            assertThat(Activation.erf(-c[0])).as("erf(-%s)", c[0]).isCloseTo(-c[1], within(1e-15));
        }
        // erfc(3) relative accuracy, where 1 - erf loses digits: checks the continued fraction itself.
        assertThat(1 - Activation.erf(3.0)).isCloseTo(2.2090496998585438e-05, within(1e-16));
        assertThat(1 - Activation.erf(2.5)).isCloseTo(4.069520174449589e-04, within(1e-16));
        assertThat(1 - Activation.erf(4.0)).isCloseTo(1.541725790028002e-08, within(1e-16));
    }

    @Test
    void activationsFollowTheirFormulas() {
        float[] x = {-3f, -1f, 0f, 0.5f, 2f};
        for (Activation activation : Activation.values()) {
            float[] y = x.clone();
            activation.apply(y, 0, y.length);
            for (int i = 0; i < x.length; i++) {
                double v = x[i];
                double expected = switch (activation) {
                    case QUICK_GELU -> v / (1 + Math.exp(-1.702 * v));
                    case GELU -> 0.5 * v * (1 + Activation.erf(v / Math.sqrt(2)));
                    case GELU_TANH -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                };
                assertThat((double) y[i]).as("%s(%s)", activation, v).isCloseTo(expected, within(1e-6));
            }
        }
        float[] gelu = {1f};
        Activation.GELU.apply(gelu, 0, 1);
        assertThat(gelu[0]).isCloseTo(0.8413447f, within(1e-7f)); // torch.nn.functional.gelu(1.0)
    }

    @Test
    void namesFollowHuggingFace() {
        assertThat(Activation.byName("quick_gelu", "c")).isEqualTo(Activation.QUICK_GELU);
        assertThat(Activation.byName("gelu", "c")).isEqualTo(Activation.GELU);
        assertThat(Activation.byName("gelu_pytorch_tanh", "c")).isEqualTo(Activation.GELU_TANH);
        assertThat(Activation.byName("gelu_new", "c")).isEqualTo(Activation.GELU_TANH);
        assertThatThrownBy(() -> Activation.byName("relu", "x/config.json")).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("x/config.json").hasMessageContaining("'relu'");
    }
}
