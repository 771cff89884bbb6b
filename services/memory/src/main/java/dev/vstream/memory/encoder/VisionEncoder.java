package dev.vstream.memory.encoder;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.vision.FeatureSelection;
import dev.vstream.model.vision.ImagePreprocessor;
import dev.vstream.model.vision.PreprocessorConfig;
import dev.vstream.model.vision.VisionTransformer;
import dev.vstream.model.vision.VisionWorkspace;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The vision tower of a CLIP- or SigLIP-layout checkpoint, turning one decoded frame into Flash-VStream's patch
 * features: the penultimate layer's hidden state without the class token ({@link FeatureSelection#FLASH_VSTREAM}),
 * pre-projection, as a (grid, grid, hidden) channels-last map. The kernels are chosen once here and run on this
 * encoder's own compute pool; {@link #encode} is serialised (one workspace), so stream threads take turns.
 */
public final class VisionEncoder implements AutoCloseable {
    private final ComputePool pool;
    private final Checkpoint checkpoint;
    private final VisionTransformer tower;
    private final ImagePreprocessor preprocessor;
    private final VisionWorkspace workspace;
    private final EncoderIdentity identity;
    private final float[] pixels;    // (3, size, size)
    private final int grid;
    private final int channels;

    private VisionEncoder(ComputePool pool, Checkpoint checkpoint, VisionTransformer tower, EncoderIdentity identity) {
        this.pool = pool;
        this.checkpoint = checkpoint;
        this.tower = tower;
        this.identity = identity;
        this.preprocessor = new ImagePreprocessor(PreprocessorConfig.forCheckpoint(checkpoint.folder(), tower.config()));
        this.workspace = tower.newWorkspace(1);
        this.pixels = new float[preprocessor.outputSize()];
        this.grid = tower.config().gridSize();
        this.channels = tower.config().hiddenSize();
        if (tower.featureTokens(FeatureSelection.FLASH_VSTREAM) != grid * grid) {
            throw new IllegalStateException("expected " + grid * grid + " patch tokens from " + checkpoint.folder());
        }
    }

    /**
     * Loads the tower from {@code checkpointFolder} (config.json, safetensors, optional preprocessor_config.json).
     *
     * @param name what snapshots call the encoder (see {@link EncoderIdentity#name()})
     *
     * @throws dev.vstream.model.loader.ModelLoadException when the folder is not a loadable vision checkpoint
     */
    public static VisionEncoder load(Path checkpointFolder, String name, CpuKernels.Choice kernels, int threads)
            throws IOException {
        ComputePool pool = new ComputePool(threads);
        Checkpoint checkpoint = null;
        try {
            checkpoint = Checkpoint.open(checkpointFolder);
            CpuKernels chosen = CpuKernels.select(kernels, CpuFeatures.detect(), pool);
            return new VisionEncoder(pool, checkpoint, VisionTransformer.load(checkpoint, chosen.gemm()),
                    EncoderIdentity.of(name, checkpoint.folder()));
        } catch (IOException | RuntimeException e) {
            if (checkpoint != null) {
                checkpoint.close();
            }
            pool.close();
            throw e;
        }
    }

    public EncoderIdentity identity() {
        return identity;
    }

    /** Side of the square input the tower takes, in pixels. */
    public int imageSize() {
        return tower.config().imageSize();
    }

    /** Patch rows (and columns) of the features. */
    public int grid() {
        return grid;
    }

    /** Feature width: the tower's hidden size. */
    public int channels() {
        return channels;
    }

    /** Preprocesses {@code image} and runs the tower to the penultimate layer: (grid, grid, hidden) features. */
    public synchronized FrameFeatures encode(BufferedImage image, long ptsMicros) {
        preprocessor.preprocess(image, pixels, 0);
        float[] features = new float[grid * grid * channels];
        tower.features(pixels, 1, FeatureSelection.FLASH_VSTREAM, workspace, features);
        return new FrameFeatures(features, grid, grid, channels, ptsMicros);
    }

    @Override
    public synchronized void close() {
        checkpoint.close();
        pool.close();
    }
}
