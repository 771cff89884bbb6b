package dev.vstream.context.model;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.model.demo.DemoCheckpoint;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.lm.MultimodalPrefill;
import dev.vstream.model.loader.ModelLoadException;
import dev.vstream.model.nemotron.NemotronFlash;
import dev.vstream.model.projector.MlpProjector;
import dev.vstream.model.sambay.SambaYModel;
import dev.vstream.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The language model of a stream's context, with its tokenizer and multimodal projector, or why it could not be
 * loaded. Loaded once per process: in the local stack the memory service (which prefills contexts) and the QA
 * service (which decodes from them) share one. A checkpoint folder holds one of the hybrid models, SambaY /
 * Phi-4-mini-flash ({@code model_type} {@code phi4flash}) or Nemotron-Flash ({@code nemotron_flash}), with
 * {@code tokenizer.json} and the projector either in {@code mm_projector.safetensors} or inside the checkpoint
 * ({@code model.mm_projector.*}), writing rows of the model's hidden size.
 */
public sealed interface LanguageModelHost extends AutoCloseable {

    /**
     * A loaded model. The weights (memory-mapped), tokenizer and projector are shared and thread-safe; a model
     * instance owns scratch buffers and serves one thread, so each inference loop takes its own from
     * {@link #newModel()}. Kernel jobs of all instances take turns on the one compute pool.
     *
     * @param name      the checkpoint folder's name
     * @param modelId   what a context state must have been prefilled with to be resumed here: the folder name and
     *                  the SHA-256 of its config.json
     * @param untrained the generated demo checkpoint (random weights)
     */
    record Loaded(String name, String modelId, boolean untrained, Tokenizer tokenizer, MlpProjector projector,
                  Checkpoint checkpoint, CpuKernels kernels, ComputePool pool, int embeddingSize, int vocabSize)
            implements LanguageModelHost {

        /** A new model instance over the shared weights, for one thread. */
        public MultimodalPrefill newModel() {
            return instantiate(checkpoint, kernels, pool);
        }

        /** The text's token ids, without special tokens (how the prompt layout writes its text). */
        public int[] encode(String text) {
            return tokenizer.encode(text, false);
        }

        @Override
        public void close() {
            projector.close();
            tokenizer.close();
            checkpoint.close();
            pool.close();
        }
    }

    /** The model could not be loaded: the service stays up, health says why. */
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
                log.warn("Language model: the UNTRAINED generated demo model in {} (random weights, seed {}): its answers "
                        + "exercise the pipeline and are not meant to be read. Point the model dir at a real checkpoint "
                        + "for real answers.", folder, DemoCheckpoint.SEED);
            } else {
                log.info("Language model {} loaded from {}", loaded.modelId(), folder);
            }
            return loaded;
        } catch (ModelLoadException | IllegalArgumentException | IllegalStateException e) {
            String where = modelDir != null ? modelDir.toString() : "the demo checkpoint in " + demoDir;
            log.error("Language model not loaded from {}: {}", where, e.getMessage());
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
            CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.AUTO, CpuFeatures.detect(), pool);
            MultimodalPrefill model = instantiate(checkpoint, kernels, pool);
            tokenizer = Tokenizer.load(folder);
            Path projectorFile = folder.resolve(DemoCheckpoint.PROJECTOR_FILE);
            MlpProjector projector = Files.isRegularFile(projectorFile)
                    ? MlpProjector.load(projectorFile, kernels.gemm()) : MlpProjector.load(checkpoint, kernels.gemm());
            if (projector.outputSize() != model.embeddingSize()) {
                projector.close();
                throw new ModelLoadException(folder + ": the projector writes " + projector.outputSize()
                        + " values per token, the model's embeddings have " + model.embeddingSize());
            }
            String name = folder.getFileName().toString();
            return new Loaded(name, name + "@" + configSha256(folder).substring(0, 16), untrained, tokenizer, projector,
                    checkpoint, kernels, pool, model.embeddingSize(), model.vocabSize());
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

    /** A model instance of the checkpoint's {@code model_type}. */
    private static MultimodalPrefill instantiate(Checkpoint checkpoint, CpuKernels kernels, ComputePool pool) {
        String type = checkpoint.config().getString("model_type");
        return switch (type) {
            case "phi4flash" -> SambaYModel.load(checkpoint, kernels, pool);
            case "nemotron_flash" -> NemotronFlash.load(checkpoint, kernels, NemotronFlash.DEFAULT_BLOCK_ROWS, pool);
            default -> throw new ModelLoadException(checkpoint.folder() + ": model_type '" + type + "' is not a "
                    + "model vstream can prefill a memory with (phi4flash, nemotron_flash)");
        };
    }

    private static String configSha256(Path folder) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(folder.resolve("config.json"))));
        } catch (IOException e) {
            throw new ModelLoadException(folder + ": config.json unreadable: " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
