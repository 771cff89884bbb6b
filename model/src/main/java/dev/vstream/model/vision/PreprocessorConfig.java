package dev.vstream.model.vision;

import dev.vstream.model.loader.ModelConfig;
import dev.vstream.model.loader.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The image-processor settings of a Hugging Face {@code preprocessor_config.json}, as the
 * CLIP and SigLIP processors apply them: resize (shortest edge to {@code shortestEdge}, the long
 * edge to {@code trunc(shortestEdge * long / short)}; or straight to {@code resizeHeight x
 * resizeWidth}), center crop, {@code x * rescaleFactor}, then {@code (x - mean[c]) / std[c]}.
 *
 * @param shortestEdge the CLIP-style target of the short side, or 0 for a fixed size
 * @param resizeHeight fixed target height (SigLIP-style), or 0 with a shortest edge
 * @param resizeWidth  fixed target width, or 0 with a shortest edge
 * @param mean         per-channel means (3 values), copied
 * @param std          per-channel standard deviations (3 positive values), copied
 */
public record PreprocessorConfig(boolean doResize, int shortestEdge, int resizeHeight, int resizeWidth,
        ResampleFilter resample, boolean doCenterCrop, int cropHeight, int cropWidth, boolean doRescale,
        double rescaleFactor, boolean doNormalize, double[] mean, double[] std) {

    public static final String FILE = "preprocessor_config.json";
    /** OpenAI CLIP's normalization constants, the CLIPImageProcessor defaults. */
    static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
    static final double[] HALF = {0.5, 0.5, 0.5};

    public PreprocessorConfig {
        if (resample == null || mean == null || std == null) {
            throw new IllegalArgumentException("resample, mean and std are required");
        }
        if (doResize && !(shortestEdge > 0 && resizeHeight == 0 && resizeWidth == 0)
                && !(shortestEdge == 0 && resizeHeight > 0 && resizeWidth > 0)) {
            throw new IllegalArgumentException("resize needs either a shortest edge or a height and width, got "
                    + shortestEdge + " / " + resizeHeight + "x" + resizeWidth);
        }
        if (doCenterCrop ? cropHeight <= 0 || cropWidth <= 0 : !doResize || shortestEdge > 0) {
            throw new IllegalArgumentException("the output size must be fixed: a center crop of positive size, or a"
                    + " resize to a height and width");
        }
        if (doResize && doCenterCrop && shortestEdge > 0 && (cropHeight > shortestEdge || cropWidth > shortestEdge)) {
            throw new IllegalArgumentException("crop " + cropHeight + "x" + cropWidth
                    + " is larger than the shortest edge " + shortestEdge + " (padding is not supported)");
        }
        if (!(rescaleFactor > 0) || !Double.isFinite(rescaleFactor)) {
            throw new IllegalArgumentException("rescale_factor must be positive, got " + rescaleFactor);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values each, got " + mean.length + " and " + std.length);
        }
        for (int c = 0; c < 3; c++) {
            if (!Double.isFinite(mean[c]) || !(std[c] > 0) || !Double.isFinite(std[c])) {
                throw new IllegalArgumentException("bad mean/std for channel " + c + ": " + mean[c] + " / " + std[c]);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** CLIPImageProcessor: shortest edge to {@code size}, center crop {@code size}, OpenAI mean/std. */
    public static PreprocessorConfig clip(int size) {
        return new PreprocessorConfig(true, size, 0, 0, ResampleFilter.BICUBIC, true, size, size, true, 1 / 255.0,
                true, CLIP_MEAN, CLIP_STD);
    }

    /** SiglipImageProcessor: resize to {@code size x size}, no crop, mean = std = 0.5. */
    public static PreprocessorConfig siglip(int size) {
        return new PreprocessorConfig(true, 0, size, size, ResampleFilter.BICUBIC, false, 0, 0, true, 1 / 255.0,
                true, HALF, HALF);
    }

    /**
     * The folder's {@code preprocessor_config.json} when present, else the family's processor
     * defaults at the model's image size; the output must be the model's square input size.
     */
    public static PreprocessorConfig forCheckpoint(Path folder, VisionConfig model) {
        Path file = folder.resolve(FILE);
        PreprocessorConfig config = Files.exists(file) ? read(file, model.family())
                : model.family() == VisionFamily.CLIP ? clip(model.imageSize()) : siglip(model.imageSize());
        if (config.outputHeight() != model.imageSize() || config.outputWidth() != model.imageSize()) {
            throw new ModelLoadException(file + ": produces " + config.outputHeight() + "x" + config.outputWidth()
                    + " images but the model takes " + model.imageSize() + "x" + model.imageSize());
        }
        return config;
    }

    /**
     * Reads a preprocessor_config.json; absent keys take the {@code family}'s processor
     * defaults, and an integer {@code size} means the shortest edge for CLIP (transformers'
     * {@code default_to_square=False}) and a square for SigLIP.
     */
    public static PreprocessorConfig read(Path file, VisionFamily family) {
        ModelConfig json = ModelConfig.read(file);
        boolean clip = family == VisionFamily.CLIP;
        PreprocessorConfig defaults = clip ? clip(224) : siglip(224);
        int shortest = defaults.shortestEdge;
        int height = defaults.resizeHeight;
        int width = defaults.resizeWidth;
        if (json.has("size")) {
            ModelConfig size = section(json, "size");
            if (size == null) {
                int side = json.getInt("size");
                shortest = clip ? side : 0;
                height = width = clip ? 0 : side;
            } else if (size.has("shortest_edge") && !size.has("longest_edge")) {
                shortest = size.getInt("shortest_edge");
                height = width = 0;
            } else {
                shortest = 0;
                height = size.getInt("height");
                width = size.getInt("width");
            }
        }
        int cropHeight = defaults.cropHeight;
        int cropWidth = defaults.cropWidth;
        if (json.has("crop_size")) {
            ModelConfig crop = section(json, "crop_size");
            cropHeight = crop == null ? json.getInt("crop_size") : crop.getInt("height");
            cropWidth = crop == null ? json.getInt("crop_size") : crop.getInt("width");
        }
        String text = readText(file);
        try {
            return new PreprocessorConfig(json.getBoolean("do_resize", true), shortest, height, width,
                    ResampleFilter.ofPillowCode(json.getInt("resample", 3), file.toString()),
                    json.getBoolean("do_center_crop", defaults.doCenterCrop), cropHeight, cropWidth,
                    json.getBoolean("do_rescale", true), json.getDouble("rescale_factor", 1 / 255.0),
                    json.getBoolean("do_normalize", true),
                    json.has("image_mean") ? channels(text, "image_mean", file) : defaults.mean,
                    json.has("image_std") ? channels(text, "image_std", file) : defaults.std);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(file + ": " + e.getMessage(), e);
        }
    }

    /** Height of the processed image. */
    public int outputHeight() {
        return doCenterCrop ? cropHeight : resizeHeight;
    }

    /** Width of the processed image. */
    public int outputWidth() {
        return doCenterCrop ? cropWidth : resizeWidth;
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PreprocessorConfig o && doResize == o.doResize && shortestEdge == o.shortestEdge
                && resizeHeight == o.resizeHeight && resizeWidth == o.resizeWidth && resample == o.resample
                && doCenterCrop == o.doCenterCrop && cropHeight == o.cropHeight && cropWidth == o.cropWidth
                && doRescale == o.doRescale && rescaleFactor == o.rescaleFactor && doNormalize == o.doNormalize
                && Arrays.equals(mean, o.mean) && Arrays.equals(std, o.std);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(doResize, shortestEdge, resizeHeight, resizeWidth, resample, doCenterCrop,
                cropHeight, cropWidth, doRescale, rescaleFactor, doNormalize) + 7 * Arrays.hashCode(mean)
                + Arrays.hashCode(std);
    }

    /** A nested object such as {@code {"shortest_edge": 224}}, or null when the value is not one. */
    private static ModelConfig section(ModelConfig json, String key) {
        try {
            return json.getSection(key);
        } catch (ModelLoadException notAnObject) {
            return null; // the caller reads it as an integer, which reports any other type
        }
    }

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

    /**
     * A top-level number or array of 3 numbers. Stopgap: ModelConfig (model.loader) has no
     * accessor for a list of doubles, so the already-validated file text is searched for the key;
     * switch to {@code ModelConfig.getDoubleList} when it exists.
     */
    private static double[] channels(String text, String key, Path file) {
        Matcher matcher = Pattern.compile("\"" + key + "\"\\s*:\\s*(\\[[^\\]]*\\]|[-0-9.eE+]+)").matcher(text);
        if (!matcher.find()) {
            throw new ModelLoadException(file + ": key '" + key + "' is not a number or an array of numbers");
        }
        String value = matcher.group(1);
        if (matcher.find()) {
            throw new ModelLoadException(file + ": key '" + key + "' appears more than once");
        }
        String[] parts = value.startsWith("[") ? value.substring(1, value.length() - 1).split(",") : new String[] {value};
        double[] numbers = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            if (!NUMBER.matcher(part).matches()) {
                throw new ModelLoadException(file + ": key '" + key + "' holds '" + part + "', not a number");
            }
            numbers[i] = Double.parseDouble(part);
        }
        if (numbers.length == 1) {
            numbers = new double[] {numbers[0], numbers[0], numbers[0]};
        }
        if (numbers.length != 3) {
            throw new ModelLoadException(file + ": key '" + key + "' has " + numbers.length + " values, expected 3");
        }
        return numbers;
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "PreprocessorConfig[" + (doResize ? (shortestEdge > 0 ? "shortest edge " + shortestEdge
                : resizeHeight + "x" + resizeWidth) + " " + resample : "no resize")
                + (doCenterCrop ? ", crop " + cropHeight + "x" + cropWidth : "")
                + (doRescale ? ", rescale " + rescaleFactor : "")
                + (doNormalize ? ", mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) : "") + "]";
    }
}
