package dev.vstream.kernels.bench;

import dev.vstream.kernels.attention.KvRows;
import dev.vstream.kernels.attention.RowAttention;
import dev.vstream.kernels.attention.RowAttentionLayout;
import dev.vstream.kernels.attention.ScalarRowAttention;
import dev.vstream.kernels.attention.VectorRowAttention;
import dev.vstream.kernels.cpu.MemoryBandwidth;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.tensor.DType;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One query row over a long KV cache (a question's last token, a decode step), as {@code RowAttention} runs it:
 * the vector kernel over fp32 and bf16 rows per thread count, against the scalar reference kernel and against the
 * machine's memory read bandwidth measured in the same process (the time it would take just to read the rows).
 * Not a test: {@code kernels/bench/row-attention.sh}.
 *
 * <pre>
 * --rows=81537 --heads=4 --kv-heads=2 --head-dim=32 --threads=1,2 --iterations=200
 * </pre>
 */
public final class RowAttentionBenchmark {

    private RowAttentionBenchmark() {
    }

    public static void main(String[] args) {
        Map<String, String> options = new TreeMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("options are --name=value, got " + arg);
            }
            options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        int rows = Integer.parseInt(options.getOrDefault("rows", "81537"));
        int heads = Integer.parseInt(options.getOrDefault("heads", "4"));
        int kvHeads = Integer.parseInt(options.getOrDefault("kv-heads", "2"));
        int headDim = Integer.parseInt(options.getOrDefault("head-dim", "32"));
        int iterations = Integer.parseInt(options.getOrDefault("iterations", "200"));
        int[] threads = Arrays.stream(options.getOrDefault("threads", "1,2").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        RowAttentionLayout layout = RowAttentionLayout.grouped(heads, kvHeads, headDim);
        int width = layout.rowWidth();
        SplittableRandom random = new SplittableRandom(1);
        float[] keys = new float[rows * width];
        float[] values = new float[rows * width];
        short[] keyBits = new short[keys.length];
        short[] valueBits = new short[values.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (float) random.nextGaussian();
            values[i] = (float) random.nextGaussian();
            keyBits[i] = DType.bf16FromFloat(keys[i]);
            valueBits[i] = DType.bf16FromFloat(values[i]);
        }
        KvRows[] caches = {new KvRows.F32(keys, values, rows), new KvRows.Bf16(keyBits, valueBits, rows)};
        float[] query = new float[heads * headDim];
        for (int i = 0; i < query.length; i++) {
            query[i] = (float) random.nextGaussian();
        }
        float[] out = new float[heads * headDim];
        float scale = (float) (1 / Math.sqrt(headDim));
        double scalar = best(new ScalarRowAttention(), query, layout, scale, caches[0], out, 3);
        System.out.printf(Locale.ROOT, "RowAttention over %,d cached rows, %d heads / %d kv heads of %d; scalar "
                + "reference (double, 1 thread, fp32 rows) %.2f ms%n%n", rows, heads, kvHeads, headDim, scalar * 1e3);
        System.out.println("| rows | threads | best | GB/s read | read-only time at the machine's bandwidth | "
                + "vs bandwidth | vs scalar reference |");
        System.out.println("|---|---|---|---|---|---|---|");
        try (MemoryBandwidth reader = new MemoryBandwidth(512L << 20)) {
            for (int t : threads) {
                try (ComputePool pool = new ComputePool(t)) {
                    double bandwidth = reader.measure(pool, 20);
                    RowAttention kernel = new VectorRowAttention(pool);
                    for (KvRows cache : caches) {
                        double seconds = best(kernel, query, layout, scale, cache, out, iterations);
                        double bytes = cache.bytes(width);
                        double floor = bytes / bandwidth;
                        System.out.printf(Locale.ROOT, "| %s | %d | %.3f ms | %.1f | %.3f ms | %.2fx | %.1fx faster |%n",
                                cache instanceof KvRows.F32 ? "fp32" : "bf16", t, seconds * 1e3, bytes / seconds / 1e9,
                                floor * 1e3, seconds / floor, scalar / seconds);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%n(bandwidth reader checksum %s)%n", reader.checksum());
        }
    }

    private static double best(RowAttention kernel, float[] query, RowAttentionLayout layout, float scale,
                               KvRows cache, float[] out, int iterations) {
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            kernel.attend(query, 0, layout, scale, cache, KvRows.EMPTY, out, 0);
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        return best;
    }
}
