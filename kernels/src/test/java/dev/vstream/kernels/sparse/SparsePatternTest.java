package dev.vstream.kernels.sparse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.kernels.attention.AttentionPlan;
import dev.vstream.kernels.attention.AttentionShape;
import dev.vstream.kernels.attention.HeadPlan;
import dev.vstream.kernels.attention.ReferenceAttention;
import dev.vstream.kernels.attention.TiledAttention;
import dev.vstream.kernels.attention.TokenMask;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.testing.ErrorStats;
import dev.vstream.kernels.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every pattern and boundary mode through {@link PermutedBlockSparseAttention} against dense
 * attention computed in double with the same mask (the plan's), on video-like inputs with
 * real grid structure, odd lengths, GQA and text/video boundaries.
 */
class SparsePatternTest {

    /**
     * Relative to {@code sum_j p_j |v_j|}, the scale fp32 rounding of scores (up to ~25 here)
     * and sums grows with; the output itself can cancel to near zero.
     */
    static final Tolerance ATTENTION_FP32 = new Tolerance("ATTENTION_FP32", 1e-4, 1e-7);

    private static final List<HeadPattern> VIDEO_PATTERNS = List.of(
            new GridPattern(16, 96, 4, 0.9, 2, 64),
            new AShapePattern(16, 128),
            new VerticalSlashPattern(40, 60),
            new DensePattern());
    private static final List<HeadPattern> TEXT_PATTERNS = List.of(
            new DensePattern(), new AShapePattern(4, 64), new VerticalSlashPattern(20, 30));

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2})
    void patternsMatchDoubleReferenceWithTheirMask(int threads) {
        long seed = 0x5BA2_5E00L + threads;
        Random random = new Random(seed);
        ErrorStats all = new ErrorStats("sparse patterns x" + threads + " seed " + seed);
        try (ComputePool pool = new ComputePool(threads)) {
            PermutedBlockSparseAttention attention =
                    new PermutedBlockSparseAttention(new TiledAttention(pool, TiledAttention.TILE, 64));
            for (int trial = 0; trial < 6; trial++) {
                int frame = 7 + random.nextInt(20);
                int kvHeads = 1 + random.nextInt(2);
                int heads = kvHeads * (1 + random.nextInt(3));
                int d = new int[] {16, 24, 33, 64}[random.nextInt(4)];
                ModalitySpans spans = randomSpans(random, frame);
                AttentionShape shape = new AttentionShape(heads, kvHeads, spans.seqLen(), d);
                double[] strength = new double[heads];
                List<HeadConfig> configs = new ArrayList<>();
                for (int h = 0; h < heads; h++) {
                    strength[h] = 4 + 6 * random.nextDouble();
                    configs.add(new HeadConfig(Boundary.values()[random.nextInt(3)],
                            TEXT_PATTERNS.get(random.nextInt(TEXT_PATTERNS.size())),
                            VIDEO_PATTERNS.get((trial + h) % VIDEO_PATTERNS.size())));
                }
                long dataSeed = random.nextLong();
                SyntheticVideo input = new SyntheticVideo(shape, spans, frame, strength, dataSeed);
                float[] out = new float[shape.queryLength()];
                AttentionPlan plan = attention.prefill(input.q, input.k, input.v, shape, spans, configs, out);

                List<TokenMask> masks = new ArrayList<>();
                for (HeadPlan head : plan.heads()) {
                    masks.add(head.mask(shape.seqLen()));
                }
                double[] expected = new double[shape.queryLength()];
                double[] magnitude = new double[shape.queryLength()];
                ReferenceAttention.attend(input.q, input.k, input.v, shape, masks, 0, shape.seqLen(), expected,
                        magnitude);
                String testCase = "seed " + seed + " trial " + trial + " data seed " + dataSeed + " " + shape
                        + " frame " + frame + " spans " + spans + " plans "
                        + plan.heads().stream().map(HeadPlan::label).toList();
                ErrorStats stats = new ErrorStats(testCase);
                for (int i = 0; i < expected.length; i++) {
                    stats.add(i, out[i], expected[i], magnitude[i], ATTENTION_FP32);
                    all.add(i, out[i], expected[i], magnitude[i], ATTENTION_FP32);
                }
                stats.assertWithin(ATTENTION_FP32);
                for (int h = 0; h < heads; h++) {
                    assertCausal(masks.get(h), shape.seqLen(), testCase + " head " + h);
                }
            }
        }
        System.out.println(all.describe(ATTENTION_FP32));
        all.assertWithin(ATTENTION_FP32);
    }

    @Test
    void gridFindsTheFramePeriodAndKeepsTheMass() {
        long seed = 0x6121_D000L;
        Random random = new Random(seed);
        try (ComputePool pool = new ComputePool(2)) {
            PermutedBlockSparseAttention attention =
                    new PermutedBlockSparseAttention(new TiledAttention(pool, TiledAttention.TILE, 64));
            for (int trial = 0; trial < 3; trial++) {
                int frame = new int[] {16, 24, 49}[trial];
                ModalitySpans spans = ModalitySpans.video(37, frame * (150 + random.nextInt(50)), 23);
                AttentionShape shape = new AttentionShape(2, 1, spans.seqLen(), 64);
                SyntheticVideo input = new SyntheticVideo(shape, spans, frame, new double[] {9, 9}, random.nextLong());
                GridPattern grid = new GridPattern(16, 256, 4, 0.9, 2, 64);
                List<HeadConfig> configs = List.of(new HeadConfig(Boundary.QUERY, new DensePattern(), grid),
                        new HeadConfig(Boundary.QUERY, new DensePattern(), grid));
                AttentionPlan plan = attention.plan(input.q, input.k, shape, spans, configs);
                String testCase = "seed " + seed + " trial " + trial + " frame " + frame + " " + shape;
                for (int h = 0; h < 2; h++) {
                    HeadPlan head = plan.heads().get(h);
                    java.util.regex.Matcher stride = java.util.regex.Pattern.compile("s=(\\d+) ").matcher(head.label());
                    assertThat(stride.find()).as(testCase + " " + head.label()).isTrue();
                    // The period or a multiple of it (which can hold the target mass with fewer keys).
                    assertThat(Integer.parseInt(stride.group(1)) % frame).as(testCase + " " + head.label()).isZero();
                    double recall = AttentionRecall.recall(input.q, input.k, shape, h, head.mask(shape.seqLen()),
                            AttentionRecall.sampleRows(0, shape.seqLen(), 200));
                    System.out.printf("%s head %d: %s recall %.4f density %.3f%n", testCase, h, head.label(), recall,
                            head.blockDensity(shape.seqLen()));
                    assertThat(recall).as(testCase).isGreaterThan(0.9);
                }
            }
        }
    }

    /** No plan lets a query see a future key; every query sees itself. */
    private static void assertCausal(TokenMask mask, int seqLen, String testCase) {
        for (int query = 0; query < seqLen; query += 7) {
            assertThat(mask.allows(query, query)).as("%s: query %d sees itself", testCase, query).isTrue();
            for (int key = query + 1; key < Math.min(seqLen, query + 40); key++) {
                assertThat(mask.allows(query, key)).as("%s: %d sees future %d", testCase, query, key).isFalse();
            }
        }
    }

    /** Text and video spans, odd lengths, one to three videos with text between. */
    private static ModalitySpans randomSpans(Random random, int frame) {
        List<ModalitySpans.Span> spans = new ArrayList<>();
        int at = 0;
        int videos = 1 + random.nextInt(3);
        for (int i = 0; i < videos; i++) {
            int text = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(70);
            if (text > 0 || i == 0 && random.nextBoolean()) {
                text = Math.max(text, 1);
                spans.add(new ModalitySpans.Span(at, at + text, Modality.TEXT));
                at += text;
            }
            int video = frame * (8 + random.nextInt(30)) + random.nextInt(frame);
            spans.add(new ModalitySpans.Span(at, at + video, Modality.VIDEO));
            at += video;
        }
        int question = 1 + random.nextInt(50);
        spans.add(new ModalitySpans.Span(at, at + question, Modality.TEXT));
        return new ModalitySpans(spans);
    }
}
