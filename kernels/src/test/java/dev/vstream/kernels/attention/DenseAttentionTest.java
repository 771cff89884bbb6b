package dev.vstream.kernels.attention;

import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.testing.ErrorStats;
import dev.vstream.kernels.testing.TestTensors;
import dev.vstream.kernels.testing.Tolerance;
import java.util.Collections;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Dense causal and sliding-window {@link TiledAttention} against the double reference. */
class DenseAttentionTest {

    /** fp32 scores, exp and accumulation over at most a few hundred keys. */
    static final Tolerance ATTENTION_FP32 = new Tolerance("ATTENTION_FP32", 1e-4, 1e-6);

    private static final int[] LENGTHS = {1, 5, 63, 64, 65, 130, 257, 301};
    private static final int[] HEAD_DIMS = {3, 16, 33, 64, 128};
    private static final int[][] HEADS = {{1, 1}, {2, 2}, {4, 2}, {6, 2}, {3, 1}};

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2})
    void causalAndWindowMatchReference(int threads) {
        long seed = 0xA77E_0001L + threads;
        Random random = new Random(seed);
        ErrorStats all = new ErrorStats("dense attention x" + threads + " seed " + seed);
        try (ComputePool pool = new ComputePool(threads)) {
            for (int blockSize : new int[] {TiledAttention.TILE, 2 * TiledAttention.TILE}) {
                DenseAttention dense = new DenseAttention(new TiledAttention(pool, blockSize, 128));
                for (int trial = 0; trial < 12; trial++) {
                    int[] heads = HEADS[random.nextInt(HEADS.length)];
                    AttentionShape shape = new AttentionShape(heads[0], heads[1],
                            LENGTHS[random.nextInt(LENGTHS.length)], HEAD_DIMS[random.nextInt(HEAD_DIMS.length)]);
                    float[] q = TestTensors.uniform(random, shape.queryLength());
                    float[] k = TestTensors.uniform(random, shape.keyLength());
                    float[] v = TestTensors.uniform(random, shape.keyLength());
                    float[] out = new float[shape.queryLength()];
                    double[] expected = new double[shape.queryLength()];
                    boolean windowed = random.nextBoolean();
                    int window = 1 + random.nextInt(200);
                    TokenMask mask;
                    if (windowed) {
                        dense.slidingWindow(q, k, v, shape, window, out);
                        mask = (query, key) -> key <= query && query - key < window;
                    } else {
                        dense.causal(q, k, v, shape, out);
                        mask = TokenMask.CAUSAL;
                    }
                    ReferenceAttention.attend(q, k, v, shape, Collections.nCopies(shape.heads(), mask),
                            0, shape.seqLen(), expected);
                    String testCase = "seed " + seed + " trial " + trial + " block " + blockSize + " " + shape
                            + (windowed ? " window " + window : " causal");
                    ErrorStats stats = new ErrorStats(testCase);
                    for (int i = 0; i < expected.length; i++) {
                        stats.add(i, out[i], expected[i], Math.abs(expected[i]), ATTENTION_FP32);
                        all.add(i, out[i], expected[i], Math.abs(expected[i]), ATTENTION_FP32);
                    }
                    stats.assertWithin(ATTENTION_FP32);
                }
            }
        }
        System.out.println(all.describe(ATTENTION_FP32));
        all.assertWithin(ATTENTION_FP32);
    }
}
