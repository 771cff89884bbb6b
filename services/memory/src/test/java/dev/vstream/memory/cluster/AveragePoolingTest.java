package dev.vstream.memory.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AveragePoolingTest {

    @Test
    void averagesEqualBlocksPerChannel() {
        // 2x4 map, 2 channels (value, -value) pooled to 1x2
        float[] in = new float[2 * 4 * 2];
        for (int i = 0; i < 8; i++) {
            in[2 * i] = i;
            in[2 * i + 1] = -i;
        }
        float[] out = new float[2 * 2];
        AveragePooling.pool(in, 0, 2, 4, 2, 1, 2, out, 0);
        // left block cells 0,1,4,5 -> 2.5; right block 2,3,6,7 -> 4.5
        assertArrayEquals(new float[] {2.5f, -2.5f, 4.5f, -4.5f}, out);
    }

    @Test
    void rejectsUnevenPooling() {
        assertThrows(IllegalArgumentException.class, () -> AveragePooling.requireDivisible("x", 16, 16, 5));
    }
}
