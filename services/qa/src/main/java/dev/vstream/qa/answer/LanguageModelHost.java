package dev.vstream.qa.answer;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.model.demo.DemoCheckpoint;
import dev.vstream.model.lm.EmbeddingPrefill;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelLoadException;
import dev.vstream.model.projector.MlpProjector;
import dev.vstream.model.sambay.SambaYModel;
import dev.vstream.model.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one language model of the service, with its tokenizer and multimodal projector, or why it could not be
 * loaded. A checkpoint folder must hold a model that takes input embeddings (today the SambaY /
 * Phi-4-mini-flash layout, {@code model_type} {@code phi4flash}), {@code tokenizer.json}, and the projector
 * either in {@code mm_projector.safetensors} or inside the checkpoint ({@code model.mm_projector.*}).
 */
public sealed interface LanguageModelHost extends AutoCloseable {

    /** A loaded model; its methods are not thread-safe, the {@link AnswerEngine} serializes them. */
    record Loaded(String name, boolean untrained, EmbeddingPrefill model, Tokenizer tokenizer, MlpProjector projector,
                  Checkpoint checkpoint, ComputePool pool) implements LanguageModelHost {
        @Override
        public void close() {
            projector.close();
            tokenizer.close();
            checkpoint.close();
            pool.close();
        }
    }

    /** The model could not be loaded: the service stays up, health is DOWN and every question gets 503. */
    record Failed(String reason) implements LanguageModelHost {
        @Override
        public void close() {
        }
    }

    @Override
    void close();

    /**
     * Loads {@code modelDir}, or when it is null the demo checkpoint in {@code demoDir} (generated on first use
     * for visual tokens of {@code demoVisionWidth}); never throws for a bad checkpoint.
     */
    static LanguageModelHost load(Path modelDir, Path demoDir, int demoVisionWidth, int threads) {
        Logger log = LoggerFactory.getLogger(LanguageModelHost.class);
        try {
            Path folder = modelDir != null ? modelDir : DemoCheckpoint.ensure(demoDir, demoVisionWidth);
            boolean untrained = DemoCheckpoint.isDemo(folder);
            Loaded loaded = open(folder, untrained, threads);
            if (untrained) {
                log.warn("QA answers come from the UNTRAINED generated demo model in {} (random weights, seed {}): "
                        + "they exercise the pipeline and are not meant to be read. Set vstream.qa.model-dir to a real "
                        + "checkpoint for real answers.", folder, DemoCheckpoint.SEED);
            }
            return loaded;
        } catch (ModelLoadException | IllegalArgumentException | IllegalStateException e) {
            String where = modelDir != null ? modelDir.toString() : "the demo checkpoint in " + demoDir;
            log.error("Language model not loaded from {}: {}. The service answers 503 to every question.", where,
                    e.getMessage());
            return new Failed(where + ": " + e.getMessage());
        }
    }

    private static Loaded open(Path folder, boolean untrained, int threads) {
        if (!Files.isDirectory(folder)) {
            throw new ModelLoadException(folder + ": no such checkpoint folder");
        }
        ComputePool pool = new ComputePool(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        Checkpoint checkpoint = null;
        Tokenizer tokenizer = null;
        try {
            checkpoint = Checkpoint.open(folder);
            String type = checkpoint.config().getString("model_type");
            if (!"phi4flash".equals(type)) {
                throw new ModelLoadException(folder + ": model_type '" + type + "' cannot take the memory as input "
                        + "embeddings yet (phi4flash can)");
            }
            CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.AUTO, CpuFeatures.detect(), pool);
            SambaYModel model = SambaYModel.load(checkpoint, kernels);
            tokenizer = Tokenizer.load(folder);
            Path projectorFile = folder.resolve(DemoCheckpoint.PROJECTOR_FILE);
            MlpProjector projector = Files.isRegularFile(projectorFile)
                    ? MlpProjector.load(projectorFile, kernels.gemm()) : MlpProjector.load(checkpoint, kernels.gemm());
            if (projector.outputSize() != model.embeddingSize()) {
                projector.close();
                throw new ModelLoadException(folder + ": the projector writes " + projector.outputSize()
                        + " values per token, the model's embeddings have " + model.embeddingSize());
            }
            return new Loaded(folder.getFileName().toString(), untrained, model, tokenizer, projector, checkpoint, pool);
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            if (checkpoint != null) {
                checkpoint.close();
            }
            pool.close();
            throw e;
        }
    }
}
