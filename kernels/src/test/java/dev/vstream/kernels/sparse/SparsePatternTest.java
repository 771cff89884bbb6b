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

    /**
     * The criterion, "max relative error < 1e-4 in fp32 against dense double with the
     * same mask", made well-posed per output row: max |err| over the row's d elements divided
     * by max |expected| over the same row (an element that cancels to near zero does not
     * divide by itself).
     */
    static final double ROW_REL_TOLERANCE = 1e-4;

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
        RowError allRows = new RowError();
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
                RowError rows = RowError.of(out, expected, shape);
                allRows.add(rows);
                System.out.printf(java.util.Locale.ROOT, "trial %d %s plans %s: max abs %.3e, max row-rel %.3e%n",
                        trial, shape, plan.heads().stream().map(HeadPlan::label).toList(), rows.maxAbs, rows.maxRel);
                assertThat(rows.maxRel).as("%s: max row-relative error (max abs %.3e, worst head %d row %d)",
                        testCase, rows.maxAbs, rows.worstHead, rows.worstRow).isLessThan(ROW_REL_TOLERANCE);
                for (int h = 0; h < heads; h++) {
                    assertCausal(masks.get(h), shape.seqLen(), testCase + " head " + h);
                }
            }
        }
        System.out.println(all.describe(ATTENTION_FP32));
        System.out.printf(java.util.Locale.ROOT, "sparse patterns x%d, every pattern and boundary mode: max abs %.3e,"
                + " max row-relative error %.3e (limit %.0e)%n", threads, allRows.maxAbs, allRows.maxRel,
                ROW_REL_TOLERANCE);
        all.assertWithin(ATTENTION_FP32);
        assertThat(allRows.maxRel).isLessThan(ROW_REL_TOLERANCE);
    }

    /** Max abs error and max over rows of (max |err| over the row / max |expected| over the row). */
    static final class RowError {
        double maxAbs;
        double maxRel;
        int worstHead = -1;
        int worstRow = -1;

        static RowError of(float[] actual, double[] expected, AttentionShape shape) {
            RowError e = new RowError();
            int d = shape.headDim();
            int n = shape.seqLen();
            for (int h = 0; h < shape.heads(); h++) {
                for (int row = 0; row < n; row++) {
                    int at = (h * n + row) * d;
                    double err = 0;
                    double scale = 0;
                    for (int p = 0; p < d; p++) {
                        assertThat(Float.isFinite(actual[at + p])).as("finite at head %d row %d", h, row).isTrue();
                        err = Math.max(err, Math.abs(actual[at + p] - expected[at + p]));
                        scale = Math.max(scale, Math.abs(expected[at + p]));
                    }
                    double rel = scale == 0 ? (err == 0 ? 0 : Double.POSITIVE_INFINITY) : err / scale;
                    e.maxAbs = Math.max(e.maxAbs, err);
                    if (rel > e.maxRel) {
                        e.maxRel = rel;
                        e.worstHead = h;
                        e.worstRow = row;
                    }
                }
            }
            return e;
        }

        void add(RowError other) {
            maxAbs = Math.max(maxAbs, other.maxAbs);
            maxRel = Math.max(maxRel, other.maxRel);
        }
    }

    /**
     * Every boundary mode x every video pattern x every text pattern, on one mixed input (text,
     * video, text, video, question) with GQA: the row-relative error against the double
     * reference with the plan's mask stays below {@link #ROW_REL_TOLERANCE}.
     */
    @Test
    void everyPatternAndBoundaryModeMeetsTheRowRelativeError() {
        long seed = 0x0E11_7A11L;
        int frame = 16;
        int video1 = frame * 56 + 5;
        int video2 = frame * 40 + 3;
        ModalitySpans spans = new ModalitySpans(List.of(new ModalitySpans.Span(0, 29, Modality.TEXT),
                new ModalitySpans.Span(29, 29 + video1, Modality.VIDEO),
                new ModalitySpans.Span(29 + video1, 46 + video1, Modality.TEXT),
                new ModalitySpans.Span(46 + video1, 46 + video1 + video2, Modality.VIDEO),
                new ModalitySpans.Span(46 + video1 + video2, 77 + video1 + video2, Modality.TEXT)));
        int heads = TEXT_PATTERNS.size() * 2;
        AttentionShape shape = new AttentionShape(heads, 2, spans.seqLen(), 32);
        double[] strength = new double[heads];
        java.util.Arrays.fill(strength, 8);
        SyntheticVideo input = new SyntheticVideo(shape, spans, frame, strength, seed);
        RowError all = new RowError();
        try (ComputePool pool = new ComputePool(2)) {
            PermutedBlockSparseAttention attention =
                    new PermutedBlockSparseAttention(new TiledAttention(pool, TiledAttention.TILE, 64));
            for (Boundary boundary : Boundary.values()) {
                for (HeadPattern video : VIDEO_PATTERNS) {
                    List<HeadConfig> configs = new ArrayList<>();
                    for (int h = 0; h < heads; h++) {
                        configs.add(new HeadConfig(boundary, TEXT_PATTERNS.get(h % TEXT_PATTERNS.size()), video));
                    }
                    float[] out = new float[shape.queryLength()];
                    AttentionPlan plan = attention.prefill(input.q, input.k, input.v, shape, spans, configs, out);
                    List<TokenMask> masks = plan.heads().stream().map(hp -> hp.mask(shape.seqLen())).toList();
                    double[] expected = new double[shape.queryLength()];
                    ReferenceAttention.attend(input.q, input.k, input.v, shape, masks, 0, shape.seqLen(), expected);
                    RowError rows = RowError.of(out, expected, shape);
                    all.add(rows);
                    List<String> labels = plan.heads().stream().map(HeadPlan::label).toList();
                    System.out.printf(java.util.Locale.ROOT, "%s %s: max abs %.3e, max row-rel %.3e %s%n", boundary,
                            video.type(), rows.maxAbs, rows.maxRel, labels);
                    assertThat(rows.maxRel).as("seed %d %s %s %s (worst head %d row %d)", seed, boundary, video,
                            labels, rows.worstHead, rows.worstRow).isLessThan(ROW_REL_TOLERANCE);
                    // The pattern really ran (no dense fallback), so every pattern's kernel path is measured.
                    String name = video.type().equals("vertical-slash") ? "vs(" : video.type() + "(";
                    assertThat(labels).as("%s %s", boundary, video).allMatch(label -> label.contains(name)
                            || video instanceof DensePattern);
                }
            }
        }
        System.out.printf(java.util.Locale.ROOT, "every boundary x pattern: max abs %.3e, max row-relative error %.3e%n",
                all.maxAbs, all.maxRel);
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
