package dev.vstream.model.cli;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.model.lm.LanguageModel;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelLoadException;
import dev.vstream.model.nemotron.NemotronFlash;
import dev.vstream.model.sambay.SambaYModel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A language model loaded from a checkpoint folder by the {@code model_type} of its
 * config.json, with the checkpoint (the weights stay mapped) and the compute pool it runs on;
 * closing releases both.
 */
final class LoadedModel implements AutoCloseable {

    /** The {@code model_type} values this CLI can run. */
    enum Family {
        SAMBAY("phi4flash"),
        NEMOTRON_FLASH("nemotron_flash");

        final String modelType;

        Family(String modelType) {
            this.modelType = modelType;
        }

        static Family of(String modelType, Path config) {
            for (Family family : values()) {
                if (family.modelType.equals(modelType)) {
                    return family;
                }
            }
            throw new UnknownModelTypeException(config + ": model_type '" + modelType
                    + "' is not one this CLI runs (phi4flash, nemotron_flash)");
        }
    }

    /** A config.json naming a model family we do not implement: a usage error, status 2. */
    static final class UnknownModelTypeException extends ModelLoadException {
        UnknownModelTypeException(String message) {
            super(message);
        }
    }

    final Family family;
    final LanguageModel model;
    private final Checkpoint checkpoint;
    private final ComputePool pool;

    private LoadedModel(Family family, LanguageModel model, Checkpoint checkpoint, ComputePool pool) {
        this.family = family;
        this.model = model;
        this.checkpoint = checkpoint;
        this.pool = pool;
    }

    /**
     * @throws IllegalArgumentException when {@code folder} is not a folder
     * @throws UnknownModelTypeException for a {@code model_type} other than the two above
     * @throws ModelLoadException for anything else wrong with the checkpoint
     */
    static LoadedModel open(Path folder, int threads) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException(folder + ": no such checkpoint folder");
        }
        ComputePool pool = new ComputePool(threads);
        Checkpoint checkpoint = null;
        try {
            checkpoint = Checkpoint.open(folder);
            Family family = Family.of(checkpoint.config().getString("model_type"), folder.resolve(Checkpoint.CONFIG_FILE));
            CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.AUTO, CpuFeatures.detect(), pool);
            LanguageModel model = switch (family) {
                case SAMBAY -> SambaYModel.load(checkpoint, kernels);
                case NEMOTRON_FLASH -> NemotronFlash.load(checkpoint, kernels);
            };
            return new LoadedModel(family, model, checkpoint, pool);
        } catch (RuntimeException e) {
            if (checkpoint != null) {
                checkpoint.close();
            }
            pool.close();
            throw e;
        }
    }

    @Override
    public void close() {
        checkpoint.close();
        pool.close();
    }
}
