package dev.vstream.model.demo;

import dev.vstream.model.loader.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generated CLIP vision tower for the local demo, so frames become visual memory without downloaded weights:
 * the {@code CLIPVisionModel} layout of CLIP ViT/14 at 224 pixels (a 16 x 16 patch grid, the size the STAR
 * memory's defaults are made for) but {@value #HIDDEN} wide and {@value #LAYERS} layers deep, with random
 * weights from a fixed seed. <b>Untrained</b>: its features carry the pictures' pixels through random
 * projections, nothing more. Written with a marker file like {@link DemoCheckpoint}; a folder without the
 * marker is never touched.
 */
public final class DemoVisionEncoder {

    private static final Logger log = LoggerFactory.getLogger(DemoVisionEncoder.class);

    public static final int GENERATOR_VERSION = 1;
    /** Width of the patch features: the vision width the matching demo projector takes. */
    public static final int HIDDEN = 64;
    static final int LAYERS = 2;
    static final int HEADS = 4;
    static final int INTERMEDIATE = 128;
    static final int IMAGE = 224;
    static final int PATCH = 14;
    static final long SEED = DemoCheckpoint.SEED + 100;

    private DemoVisionEncoder() {
    }

    /** The demo vision encoder in {@code folder}, generated on first use. */
    public static Path ensure(Path folder) {
        String marker = "{\"generator\": \"vstream demo vision encoder\", \"version\": " + GENERATOR_VERSION
                + ", \"seed\": " + SEED + ", \"trained\": false}\n";
        try {
            Path markerFile = folder.resolve(DemoCheckpoint.MARKER);
            if (Files.isRegularFile(markerFile) && Files.readString(markerFile).equals(marker)) {
                return folder;
            }
            if (Files.isDirectory(folder) && !Files.isRegularFile(markerFile)) {
                try (var entries = Files.list(folder)) {
                    if (entries.findAny().isPresent()) {
                        throw new ModelLoadException(folder + " is not empty and holds no " + DemoCheckpoint.MARKER
                                + ": not a generated demo encoder, left as it is");
                    }
                }
            }
            Path parent = folder.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path staging = Files.createTempDirectory(parent, folder.getFileName() + ".tmp");
            Files.writeString(staging.resolve("config.json"), config());
            Files.writeString(staging.resolve("preprocessor_config.json"), preprocessorConfig());
            RandomSafetensors.write(staging.resolve("model.safetensors"), tensors(), SEED);
            Files.writeString(staging.resolve(DemoCheckpoint.MARKER), marker);
            if (Files.isDirectory(folder)) {
                try (var old = Files.walk(folder)) {
                    for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.move(staging, folder, StandardCopyOption.ATOMIC_MOVE);
            log.info("Generated the demo vision encoder in {}: untrained CLIP ViT/{} at {} px, {} wide, {} layers, seed {}",
                    folder, PATCH, IMAGE, HIDDEN, LAYERS, SEED);
            return folder;
        } catch (IOException e) {
            throw new ModelLoadException("cannot write the demo vision encoder to " + folder + ": " + e.getMessage(), e);
        }
    }

    static String config() {
        return """
                {"architectures": ["CLIPVisionModel"], "model_type": "clip_vision_model", "hidden_act": "quick_gelu",
                 "hidden_size": %d, "intermediate_size": %d, "num_attention_heads": %d, "num_hidden_layers": %d,
                 "num_channels": 3, "image_size": %d, "patch_size": %d, "layer_norm_eps": 1e-05, "dtype": "float32",
                 "vstream_demo": true}
                """.formatted(HIDDEN, INTERMEDIATE, HEADS, LAYERS, IMAGE, PATCH);
    }

    static String preprocessorConfig() {
        return """
                {"crop_size": {"height": %d, "width": %d}, "do_center_crop": true, "do_convert_rgb": true,
                 "do_normalize": true, "do_rescale": true, "do_resize": true,
                 "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_processor_type": "CLIPImageProcessor",
                 "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3,
                 "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": %d}}
                """.formatted(IMAGE, IMAGE, IMAGE);
    }

    static List<RandomSafetensors.Spec> tensors() {
        int d = HIDDEN;
        int positions = (IMAGE / PATCH) * (IMAGE / PATCH) + 1;
        List<RandomSafetensors.Spec> t = new ArrayList<>();
        t.add(new RandomSafetensors.Spec("embeddings.class_embedding", RandomSafetensors.Fill.SMALL, d));
        t.add(new RandomSafetensors.Spec("embeddings.patch_embedding.weight", RandomSafetensors.Fill.MATRIX, d, 3, PATCH,
                PATCH));
        t.add(new RandomSafetensors.Spec("embeddings.position_embedding.weight", RandomSafetensors.Fill.SMALL, positions,
                d));
        t.add(new RandomSafetensors.Spec("pre_layrnorm.weight", RandomSafetensors.Fill.ONES, d));
        t.add(new RandomSafetensors.Spec("pre_layrnorm.bias", RandomSafetensors.Fill.ZEROS, d));
        for (int i = 0; i < LAYERS; i++) {
            String p = "encoder.layers." + i + ".";
            for (String norm : List.of("layer_norm1", "layer_norm2")) {
                t.add(new RandomSafetensors.Spec(p + norm + ".weight", RandomSafetensors.Fill.ONES, d));
                t.add(new RandomSafetensors.Spec(p + norm + ".bias", RandomSafetensors.Fill.ZEROS, d));
            }
            for (String proj : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                t.add(new RandomSafetensors.Spec(p + "self_attn." + proj + ".weight", RandomSafetensors.Fill.MATRIX, d, d));
                t.add(new RandomSafetensors.Spec(p + "self_attn." + proj + ".bias", RandomSafetensors.Fill.ZEROS, d));
            }
            t.add(new RandomSafetensors.Spec(p + "mlp.fc1.weight", RandomSafetensors.Fill.MATRIX, INTERMEDIATE, d));
            t.add(new RandomSafetensors.Spec(p + "mlp.fc1.bias", RandomSafetensors.Fill.ZEROS, INTERMEDIATE));
            t.add(new RandomSafetensors.Spec(p + "mlp.fc2.weight", RandomSafetensors.Fill.MATRIX, d, INTERMEDIATE));
            t.add(new RandomSafetensors.Spec(p + "mlp.fc2.bias", RandomSafetensors.Fill.ZEROS, d));
        }
        t.add(new RandomSafetensors.Spec("post_layernorm.weight", RandomSafetensors.Fill.ONES, d));
        t.add(new RandomSafetensors.Spec("post_layernorm.bias", RandomSafetensors.Fill.ZEROS, d));
        return t;
    }
}
