package dev.vstream.model.nemotron;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.tensor.DType;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LanguageModel.Logits;
import dev.vstream.model.lm.Linear;
import dev.vstream.model.loader.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Prefill and decode speed of Nemotron-Flash at the operator widths of the 1B (hidden 2048,
 * 16/4 heads of 128, Mamba-2 64 heads of 64 with d_state 128, FFN 6144) on a synthetic bf16
 * checkpoint of one 1B block pair ({@code deltanet f m2 f a f m2 f}, vocab 32768, 256 memory
 * tokens). Not a test: run the main with a scratch folder and the thread count.
 *
 * <p>Baselines in the same run: one GEMV over every weight matrix of the model (the
 * bandwidth-bound floor of a decode step) and the GEMMs of every projection over the prefill's
 * rows in the model's blocks (the floor of a prefill); both are reported as ratios. Best of
 * {@code rounds} after a warm-up, as other processes only ever make a run slower.
 */
public final class NemotronFlashBenchmark {

    private static final int HIDDEN = 2048;
    private static final int VOCAB = 32768;

    private NemotronFlashBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args.length > 0 ? args[0] : "/tmp/nemotron-flash-bench");
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int prompt = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        int rounds = 3;
        if (!Files.exists(folder.resolve("model.safetensors"))) {
            write(folder);
        }
        try (ComputePool pool = new ComputePool(threads);
                Checkpoint checkpoint = Checkpoint.open(folder)) {
            CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.AUTO, CpuFeatures.detect(), pool);
            NemotronFlash model = NemotronFlash.load(checkpoint, kernels);
            List<Linear> weights = new ArrayList<>();
            for (String name : checkpoint.tensorNames()) {
                if (checkpoint.tensor(name).shape().rank() == 2 && name.endsWith("proj.weight")
                        || name.equals("lm_head.weight")) {
                    weights.add(new Linear(checkpoint.tensor(name), null, kernels));
                }
            }
            int[] ids = new Random(7).ints(prompt, 0, VOCAB).toArray();
            float[] logits = new float[VOCAB];
            double floor = Double.MAX_VALUE;
            double decode = Double.MAX_VALUE;
            double prefill = Double.MAX_VALUE;
            double gemmFloor = Double.MAX_VALUE;
            int block = NemotronFlash.DEFAULT_BLOCK_ROWS;
            float[] rowsIn = new float[block * 16384];
            float[] rowsOut = new float[block * VOCAB];
            for (int round = 0; round <= rounds; round++) {
                float[] x = new float[16384];
                float[] y = new float[VOCAB];
                long start = System.nanoTime();
                for (Linear w : weights) {
                    w.forward(x, 0, 1, y, 0);
                }
                double floorMs = (System.nanoTime() - start) / 1e6;

                start = System.nanoTime();
                for (int done = 0; done < prompt + 256; done += block) {
                    int rows = Math.min(block, prompt + 256 - done);
                    for (Linear w : weights) {
                        if (w.out() != VOCAB) { // the head runs on one row only in a last-position prefill
                            w.forward(rowsIn, 0, rows, rowsOut, 0);
                        }
                    }
                }
                double gemmMs = (System.nanoTime() - start) / 1e6;

                ContextState state = model.newContext();
                start = System.nanoTime();
                model.prefill(state, ids, Logits.LAST_POSITION, logits);
                double prefillMs = (System.nanoTime() - start) / 1e6;

                int steps = 16;
                start = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    model.decodeStep(state, ids[i], logits);
                }
                double decodeMs = (System.nanoTime() - start) / 1e6 / steps;
                if (round > 0) { // round 0 warms up the JIT and the page cache
                    floor = Math.min(floor, floorMs);
                    prefill = Math.min(prefill, prefillMs);
                    gemmFloor = Math.min(gemmFloor, gemmMs);
                    decode = Math.min(decode, decodeMs);
                }
            }
            System.out.printf(Locale.ROOT, "%s, %d threads, %s%n", model, threads, kernels.describe());
            System.out.printf(Locale.ROOT, "prefill %d tokens (+256 memory): %.1f ms (%.0f tokens/s); GEMM over the same"
                    + " weights and rows (blocks of %d): %.1f ms; ratio %.2f%n", prompt, prefill,
                    (prompt + 256) / prefill * 1000, block, gemmFloor, prefill / gemmFloor);
            System.out.printf(Locale.ROOT, "decode at %d: %.2f ms/token; GEMV over all %d weights: %.2f ms; ratio %.2f%n",
                    prompt + 256, decode, weights.size(), floor, decode / floor);
            operators(checkpoint, kernels, NemotronFlash.DEFAULT_BLOCK_ROWS, rounds);
        }
    }

    /**
     * Each operator alone on one prefill block at positions 0.., against the GEMMs of its own
     * projections on the same rows, interleaved so that load from other processes hits both.
     */
    private static void operators(Checkpoint checkpoint, CpuKernels kernels, int rows, int rounds) {
        NemotronFlashConfig config = NemotronFlashConfig.from(checkpoint.config());
        float[] input = new float[rows * 16384]; // wide enough for every projection's input
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        float[] out = new float[rows * 16384];
        Scratch scratch = new Scratch();
        for (int index = 0; index < config.operators().size(); index++) {
            String prefix = "model.layers." + index + ".";
            Operator op = switch (config.operators().get(index)) {
                case DELTANET -> new DeltaNetMixer(checkpoint, prefix, config, kernels);
                case MAMBA2 -> new Mamba2Mixer(checkpoint, prefix, config, kernels);
                case ATTENTION -> new GroupedQueryAttention(checkpoint, prefix, config,
                        new dev.vstream.model.lm.CausalAttention(kernels), kernels);
                case FFN -> new FeedForward(checkpoint, prefix, config, kernels);
            };
            List<Linear> projections = new ArrayList<>();
            for (String name : checkpoint.tensorNames().subSet(prefix, prefix + Character.MAX_VALUE)) {
                if (name.endsWith("proj.weight")) {
                    projections.add(new Linear(checkpoint.tensor(name), null, kernels));
                }
            }
            double forward = Double.MAX_VALUE;
            double gemm = Double.MAX_VALUE;
            for (int round = 0; round <= rounds; round++) {
                float[] x = input.clone();
                ContextState state = new ContextState("bench", op.newCaches());
                long start = System.nanoTime();
                op.forward(x, rows, 0, state, 0, scratch);
                double forwardMs = (System.nanoTime() - start) / 1e6;
                start = System.nanoTime();
                for (Linear w : projections) {
                    w.forward(input, 0, rows, out, 0);
                }
                double gemmMs = (System.nanoTime() - start) / 1e6;
                if (round > 0) {
                    forward = Math.min(forward, forwardMs);
                    gemm = Math.min(gemm, gemmMs);
                }
            }
            System.out.printf(Locale.ROOT, "operator %d %-8s block of %d: %7.1f ms; its GEMMs: %7.1f ms; ratio %.2f%n",
                    index, config.operators().get(index).code(), rows, forward, gemm, forward / gemm);
        }
    }

    /** The synthetic checkpoint: N(0, 1/fan_in) projections, norms near 1, small conv kernels. */
    private static void write(Path folder) throws IOException {
        Files.createDirectories(folder);
        String[] types = {"deltanet", "f", "m2", "f", "a", "f", "m2", "f"};
        Files.writeString(folder.resolve("config.json"), """
                {"model_type": "nemotron_flash", "hidden_size": %d, "vocab_size": %d, "num_attention_heads": 16,
                 "num_key_value_heads": 4, "intermediate_size": 0, "ffn_expand_ratio": 3, "kq_norm": "none",
                 "layer_types": ["%s"], "num_hidden_layers": %d, "mamba2_headdim": 64, "mamba_d_state": 128,
                 "mamba_d_conv": 4, "mamba_expand": 2, "num_memory_tokens": 256, "rope": true, "rope_theta": 10000,
                 "rms_norm_eps": 1e-6, "tie_word_embeddings": false}
                """.formatted(HIDDEN, VOCAB, String.join("\", \"", types), types.length));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {VOCAB, HIDDEN});
        shapes.put("model.memory_tokens", new long[] {256, HIDDEN});
        shapes.put("model.final_layernorm.weight", new long[] {HIDDEN});
        shapes.put("lm_head.weight", new long[] {VOCAB, HIDDEN});
        for (int i = 0; i < types.length; i++) {
            String p = "model.layers." + i + ".";
            switch (types[i]) {
                case "f" -> {
                    shapes.put(p + "pre_ffn_layernorm.weight", new long[] {HIDDEN});
                    shapes.put(p + "ffn.gate_proj.weight", new long[] {6144, HIDDEN});
                    shapes.put(p + "ffn.up_proj.weight", new long[] {6144, HIDDEN});
                    shapes.put(p + "ffn.down_proj.weight", new long[] {HIDDEN, 6144});
                }
                case "a" -> {
                    shapes.put(p + "input_layernorm.weight", new long[] {HIDDEN});
                    shapes.put(p + "self_attn.q_proj.weight", new long[] {HIDDEN, HIDDEN});
                    shapes.put(p + "self_attn.k_proj.weight", new long[] {512, HIDDEN});
                    shapes.put(p + "self_attn.v_proj.weight", new long[] {512, HIDDEN});
                    shapes.put(p + "self_attn.o_proj.weight", new long[] {HIDDEN, HIDDEN});
                }
                case "m2" -> {
                    shapes.put(p + "input_layernorm.weight", new long[] {HIDDEN});
                    shapes.put(p + "mamba.in_proj.weight", new long[] {8512, HIDDEN});
                    shapes.put(p + "mamba.conv1d.weight", new long[] {4352, 1, 4});
                    shapes.put(p + "mamba.conv1d.bias", new long[] {4352});
                    shapes.put(p + "mamba.dt_bias", new long[] {64});
                    shapes.put(p + "mamba.A_log", new long[] {64});
                    shapes.put(p + "mamba.D", new long[] {64});
                    shapes.put(p + "mamba.norm.weight", new long[] {4096});
                    shapes.put(p + "mamba.out_proj.weight", new long[] {HIDDEN, 4096});
                }
                default -> {
                    shapes.put(p + "input_layernorm.weight", new long[] {HIDDEN});
                    for (String s : new String[] {"q", "k", "v"}) {
                        shapes.put(p + "gla." + s + "_proj.weight", new long[] {HIDDEN, HIDDEN});
                        shapes.put(p + "gla." + s + "_conv1d.weight", new long[] {HIDDEN, 1, 4});
                    }
                    shapes.put(p + "gla.b_proj.weight", new long[] {16, HIDDEN});
                    shapes.put(p + "gla.o_norm.weight", new long[] {128});
                    shapes.put(p + "gla.o_proj.weight", new long[] {HIDDEN, HIDDEN});
                }
            }
        }
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long bytes = 2;
            for (long d : e.getValue()) {
                bytes *= d;
            }
            header.append(offset == 0 ? "" : ",").append('"').append(e.getKey()).append("\":{\"dtype\":\"BF16\",\"shape\":")
                    .append(Arrays.toString(e.getValue()).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(11);
        try (FileChannel out = FileChannel.open(folder.resolve("model.safetensors"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer prefix = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
            writeFully(out, prefix.putLong(json.length).put(json));
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                long[] shape = e.getValue();
                String name = e.getKey();
                long count = 1;
                for (long d : shape) {
                    count *= d;
                }
                double std = shape.length == 2 ? 1 / Math.sqrt(shape[1]) : 0.1;
                double mean = name.endsWith("norm.weight") || name.endsWith(".D") ? 1 : 0;
                ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < count; i++) {
                    if (!buffer.hasRemaining()) {
                        writeFully(out, buffer);
                    }
                    buffer.putShort(DType.bf16FromFloat((float) (mean + std * random.nextGaussian())));
                }
                writeFully(out, buffer);
            }
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        buffer.clear();
    }
}
