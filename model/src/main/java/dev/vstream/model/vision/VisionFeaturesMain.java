package dev.vstream.model.vision;

import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.linalg.Gemm;
import dev.vstream.kernels.linalg.VectorGemm;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelLoadException;
import dev.vstream.model.projector.MlpProjector;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Command-line verb: prints the visual features of one image as JSON.
 *
 * <pre>
 * VisionFeaturesMain CHECKPOINT_FOLDER IMAGE [--layer N] [--keep-cls] [--projector FILE]
 * </pre>
 *
 * The folder holds config.json, the safetensors weights and optionally
 * preprocessor_config.json. The default selection is Flash-VStream's (penultimate layer, class
 * token dropped); {@code --projector} also applies an mlp2x_gelu projector file. Output:
 * {@code {"checkpoint", "image", "family", "layer", "tokens", "hidden", "features": [[...]]}}
 * plus {@code "projected"} with a projector. Projections run on the Vector API GEMM over all
 * cores. Exit status 0, 1 on a load error, 2 on bad usage.
 */
public final class VisionFeaturesMain {

    private static final String USAGE =
            "usage: VisionFeaturesMain CHECKPOINT_FOLDER IMAGE [--layer N] [--keep-cls] [--projector FILE]";

    private VisionFeaturesMain() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the verb; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path folder = null;
        Path imageFile = null;
        Path projectorFile = null;
        int layer = FeatureSelection.FLASH_VSTREAM.layer();
        boolean keepClassToken = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--layer" -> layer = Integer.parseInt(args[++i]);
                    case "--keep-cls" -> keepClassToken = true;
                    case "--projector" -> projectorFile = Path.of(args[++i]);
                    default -> {
                        if (args[i].startsWith("--") || imageFile != null) {
                            throw new IllegalArgumentException("unexpected argument " + args[i]);
                        }
                        if (folder == null) {
                            folder = Path.of(args[i]);
                        } else {
                            imageFile = Path.of(args[i]);
                        }
                    }
                }
            }
            if (imageFile == null) {
                throw new IllegalArgumentException("a checkpoint folder and an image are required");
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            err.println(e.getMessage() == null ? USAGE : e.getMessage() + "\n" + USAGE);
            return 2;
        }
        try {
            run(folder, imageFile, new FeatureSelection(layer, !keepClassToken), projectorFile, out);
            return 0;
        } catch (ModelLoadException | IOException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static void run(Path folder, Path imageFile, FeatureSelection selection, Path projectorFile,
            PrintStream out) throws IOException {
        if (!Files.isRegularFile(imageFile)) {
            throw new IOException(imageFile + ": no such image file");
        }
        BufferedImage image = ImageIO.read(imageFile.toFile());
        if (image == null) {
            throw new IOException(imageFile + ": not an image format ImageIO can read");
        }
        try (ComputePool pool = new ComputePool(Runtime.getRuntime().availableProcessors());
                Checkpoint checkpoint = Checkpoint.open(folder)) {
            Gemm gemm = new VectorGemm(pool);
            VisionTransformer tower = VisionTransformer.load(checkpoint, gemm);
            PreprocessorConfig preprocessing = PreprocessorConfig.forCheckpoint(checkpoint.folder(), tower.config());
            if (projectorFile == null) {
                print(folder, imageFile, image, tower, preprocessing, selection, null, out);
            } else {
                try (MlpProjector projector = MlpProjector.load(projectorFile, gemm)) {
                    print(folder, imageFile, image, tower, preprocessing, selection, projector, out);
                }
            }
        }
    }

    private static void print(Path folder, Path imageFile, BufferedImage image, VisionTransformer tower,
            PreprocessorConfig preprocessing, FeatureSelection selection, MlpProjector projector, PrintStream out) {
        int hidden = tower.config().hiddenSize();
        if (projector != null && projector.visionSize() != hidden) {
            throw new IllegalArgumentException("projector takes " + projector.visionSize()
                    + "-wide tokens but the vision tower gives " + hidden);
        }
        ImagePreprocessor preprocessor = new ImagePreprocessor(preprocessing);
        float[] pixels = new float[preprocessor.outputSize()];
        preprocessor.preprocess(image, pixels, 0);
        int tokens = tower.featureTokens(selection);
        float[] features = new float[tokens * hidden];
        tower.features(pixels, 1, selection, tower.newWorkspace(1), features);

        StringBuilder json = new StringBuilder(features.length * 12 + 256);
        json.append("{\"checkpoint\": ").append(quote(folder.toString()))
                .append(", \"image\": ").append(quote(imageFile.toString()))
                .append(", \"family\": ").append(quote(tower.config().family().name()))
                .append(", \"layer\": ").append(tower.resolveLayer(selection.layer()))
                .append(", \"tokens\": ").append(tokens)
                .append(", \"hidden\": ").append(hidden)
                .append(",\n \"features\": ");
        appendMatrix(json, features, tokens, hidden);
        if (projector != null) {
            float[] projected = new float[tokens * projector.outputSize()];
            projector.forward(features, tokens, projector.newScratch(tokens), projected);
            json.append(",\n \"projected\": ");
            appendMatrix(json, projected, tokens, projector.outputSize());
        }
        out.println(json.append('}'));
    }

    /** Rows of shortest round-trip floats; a non-finite value is a bug upstream, so it fails. */
    private static void appendMatrix(StringBuilder json, float[] values, int rows, int columns) {
        json.append('[');
        for (int r = 0; r < rows; r++) {
            json.append(r == 0 ? "[" : ",\n  [");
            for (int c = 0; c < columns; c++) {
                float v = values[r * columns + c];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("non-finite feature " + v + " at token " + r + ", channel " + c);
                }
                json.append(c == 0 ? "" : ", ").append(v);
            }
            json.append(']');
        }
        json.append(']');
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
