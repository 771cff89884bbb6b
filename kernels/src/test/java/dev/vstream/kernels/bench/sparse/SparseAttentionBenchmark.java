package dev.vstream.kernels.bench.sparse;

import dev.vstream.kernels.attention.AttentionPlan;
import dev.vstream.kernels.attention.AttentionShape;
import dev.vstream.kernels.attention.DenseAttention;
import dev.vstream.kernels.attention.HeadPlan;
import dev.vstream.kernels.attention.TiledAttention;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.sparse.AShapePattern;
import dev.vstream.kernels.sparse.AttentionRecall;
import dev.vstream.kernels.sparse.Boundary;
import dev.vstream.kernels.sparse.DensePattern;
import dev.vstream.kernels.sparse.GridPattern;
import dev.vstream.kernels.sparse.HeadConfig;
import dev.vstream.kernels.sparse.HeadPattern;
import dev.vstream.kernels.sparse.ModalitySpans;
import dev.vstream.kernels.sparse.PermutedBlockSparseAttention;
import dev.vstream.kernels.sparse.SyntheticVideo;
import dev.vstream.kernels.sparse.VerticalSlashPattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sparse vs dense prefill attention on video-like input (frames of {@code --frame} patches
 * with grid structure, a short text prompt before and a question after), in one run: the
 * dense flash-style baseline and each pattern (estimate and plan included in its time), best
 * of {@code --rounds}, as a ratio, with each pattern's block density and recall (over
 * {@code --recall-rows} sampled query rows, in double).
 *
 * <pre>
 *   kernels/bench/sparse.sh [--lengths=8192,32768,65536] [--threads=2] [--rounds=3] [--frame=256]
 *                           [--head-dim=128] [--layer=8/2] [--layer-lengths=8192,32768] [--recall-rows=64]
 * </pre>
 */
public final class SparseAttentionBenchmark {

    public static void main(String[] args) {
        Map<String, String> options = new LinkedHashMap<>(Map.of("lengths", "8192,32768,65536", "threads", "2",
                "rounds", "3", "frame", "256", "head-dim", "128", "layer", "8/2", "layer-lengths", "8192,32768",
                "recall-rows", "64", "block", "64"));
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            if (kv.length != 2 || !options.containsKey(kv[0])) {
                throw new IllegalArgumentException("unknown option " + arg + "; options: " + options);
            }
            options.put(kv[0], kv[1]);
        }
        int threads = Integer.parseInt(options.get("threads"));
        int rounds = Integer.parseInt(options.get("rounds"));
        int frame = Integer.parseInt(options.get("frame"));
        int headDim = Integer.parseInt(options.get("head-dim"));
        int recallRows = Integer.parseInt(options.get("recall-rows"));
        int block = Integer.parseInt(options.get("block"));
        String[] layer = options.get("layer").split("/");
        System.out.printf("sparse prefill attention, %d threads, frame %d tokens, head dim %d, block %d, best of %d, "
                + "recall over %d sampled rows; %s%n", threads, frame, headDim, block, rounds, recallRows, options);
        try (ComputePool pool = new ComputePool(threads)) {
            TiledAttention kernel = new TiledAttention(pool, block, headDim);
            System.out.println(kernel);
            DenseAttention dense = new DenseAttention(kernel);
            PermutedBlockSparseAttention sparse = new PermutedBlockSparseAttention(kernel);
            System.out.println("| case | tokens | heads | dense s | pattern | chosen | density | recall | sparse s | speedup |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            for (String length : options.get("lengths").split(",")) {
                run(dense, sparse, new AttentionShape(1, 1, Integer.parseInt(length), headDim), frame, rounds,
                        recallRows, "single head", true);
            }
            for (String length : options.get("layer-lengths").split(",")) {
                if (!length.isBlank()) {
                    run(dense, sparse, new AttentionShape(Integer.parseInt(layer[0]), Integer.parseInt(layer[1]),
                            Integer.parseInt(length), headDim), frame, rounds, recallRows, "layer", false);
                }
            }
        }
    }

    private static void run(DenseAttention dense, PermutedBlockSparseAttention sparse, AttentionShape shape, int frame,
                            int rounds, int recallRows, String label, boolean allPatterns) {
        int n = shape.seqLen();
        int prefix = 64;
        int suffix = 32;
        ModalitySpans spans = ModalitySpans.video(prefix, n - prefix - suffix, suffix);
        double[] strength = new double[shape.heads()];
        for (int h = 0; h < strength.length; h++) {
            strength[h] = 10 + 2.0 * h / Math.max(1, strength.length - 1);
        }
        SyntheticVideo input = new SyntheticVideo(shape, spans, frame, strength, 0xBE7C_0000L + n);
        float[] out = new float[shape.queryLength()];
        Map<String, HeadPattern> patterns = new LinkedHashMap<>();
        patterns.put("grid", new GridPattern(64, 1024, 4, 0.95, 2, 512));
        if (allPatterns) {
            patterns.put("a-shape", new AShapePattern(128, 4096));
            patterns.put("vertical-slash", new VerticalSlashPattern(1000, 2048));
        }
        double denseSeconds = Double.MAX_VALUE;
        double[] sparseSeconds = new double[patterns.size()];
        Arrays.fill(sparseSeconds, Double.MAX_VALUE);
        List<List<HeadConfig>> configs = new ArrayList<>();
        for (HeadPattern pattern : patterns.values()) {
            configs.add(Collections.nCopies(shape.heads(), new HeadConfig(Boundary.QUERY, new DensePattern(), pattern)));
        }
        AttentionPlan[] plans = new AttentionPlan[patterns.size()];
        // Alternate dense and sparse within each round so load from other processes hits both.
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            dense.causal(input.q, input.k, input.v, shape, out);
            denseSeconds = Math.min(denseSeconds, (System.nanoTime() - start) / 1e9);
            for (int p = 0; p < plans.length; p++) {
                start = System.nanoTime();
                plans[p] = sparse.prefill(input.q, input.k, input.v, shape, spans, configs.get(p), out);
                sparseSeconds[p] = Math.min(sparseSeconds[p], (System.nanoTime() - start) / 1e9);
            }
        }
        int[] rows = AttentionRecall.sampleRows(prefix, n, recallRows);
        int p = 0;
        for (String name : patterns.keySet()) {
            AttentionPlan plan = plans[p];
            double density = 0;
            double recall = 0;
            List<String> chosen = new ArrayList<>();
            for (int h = 0; h < shape.heads(); h++) {
                HeadPlan head = plan.heads().get(h);
                double headDensity = head.blockDensity(n);
                double headRecall = AttentionRecall.recall(input.q, input.k, shape, h, head.mask(n), rows);
                density += headDensity / shape.heads();
                recall += headRecall / shape.heads();
                if (!allPatterns) {
                    System.out.printf("  head %d: %s density %.4f recall %.4f%n", h, head.label(), headDensity,
                            headRecall);
                }
                if (h == 0) {
                    chosen.add(head.label());
                }
            }
            System.out.printf("| %s | %d | %d/%d | %.3f | %s | %s | %.4f | %.4f | %.3f | %.2fx |%n", label, n,
                    shape.heads(), shape.kvHeads(), denseSeconds, name, String.join(";", chosen), density, recall,
                    sparseSeconds[p], denseSeconds / sparseSeconds[p]);
            p++;
        }
    }
}
