package dev.vstream.model.nemotron;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * RoPE far beyond the goldens' 16 positions: the rotation keeps its accuracy at positions in
 * the hundreds of thousands (angles are formed in double), against a double reference, and
 * the NTK base follows the reference formula.
 */
class RotaryEmbeddingTest {

    @Test
    void rotationIsAccurateAtLargePositions() {
        int headDim = 128;
        int heads = 3;
        double base = 10000;
        long seed = 20251127L;
        System.out.println("RotaryEmbeddingTest seed " + seed);
        Random random = new Random(seed);
        RotaryEmbedding rope = new RotaryEmbedding(headDim, base);
        for (int position : new int[] {0, 1, 4095, 29000, 131071, 262143}) {
            int rows = 2;
            int stride = heads * headDim + 5;
            float[] x = new float[rows * stride];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float[] rotated = x.clone();
            rope.apply(rotated, 0, stride, rows, heads, position);
            double maxError = 0;
            for (int r = 0; r < rows; r++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < headDim / 2; i++) {
                        int a = r * stride + h * headDim + i;
                        double angle = (position + r) * Math.pow(base, -2.0 * i / headDim);
                        double x1 = x[a];
                        double x2 = x[a + headDim / 2];
                        maxError = Math.max(maxError, Math.abs(rotated[a] - (x1 * Math.cos(angle) - x2 * Math.sin(angle))));
                        maxError = Math.max(maxError,
                                Math.abs(rotated[a + headDim / 2] - (x2 * Math.cos(angle) + x1 * Math.sin(angle))));
                    }
                }
            }
            assertThat(maxError).as("position %d", position).isLessThan(2e-6);
            for (int i = heads * headDim; i < stride; i++) {
                assertThat(rotated[i]).as("padding after the heads is untouched").isEqualTo(x[i]);
            }
        }
    }

    @Test
    void ntkBaseFollowsTheReferenceFormula() {
        // theta * (2 * 4096 / 1024 - 1)^(16 / 14), the flash_tiny_variant value in goldens/manifest.json
        assertThat(NemotronFlashConfig.ntkBase(10000, 4096, 1024, 16)).isCloseTo(92432.84734292865,
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(NemotronFlashConfig.ntkBase(10000, 1024, 1024, 128)).isEqualTo(10000);
    }
}
