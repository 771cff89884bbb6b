package dev.vstream.memory.encoder;

import dev.vstream.api.memory.TokenType;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.memory.star.SemanticAttention;
import dev.vstream.memory.star.StarMemoryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the memory service updates memories with: the vision encoder, the STAR config sized for its output and the
 * abstract memory's semantic attention, or why there is none. Without one the service still validates and
 * dead-letters frames, and publishes no snapshot.
 */
public sealed interface MemoryModel {

    /** Tensors {@code q_proj.weight}, {@code q_proj.bias}, {@code k_proj.weight}, {@code k_proj.bias}: (d, C), (d). */
    String ATTENTION_FILE = "attention_model.safetensors";
    /** A checkpoint folder holding the LM too keeps its vision tower here. */
    String VISION_FOLDER = "vision";

    /**
     * @param attentionTrained whether the q/k projections came from {@link #ATTENTION_FILE} (else seeded random)
     * @param tokenType        how snapshots carry the tokens
     */
    record Loaded(VisionEncoder encoder, StarMemoryConfig star, SemanticAttention attention, boolean attentionTrained,
                  TokenType tokenType) implements MemoryModel, AutoCloseable {
        @Override
        public void close() {
            encoder.close();
        }
    }

    record Unavailable(String reason) implements MemoryModel {
    }

    /**
     * Loads from {@code modelDir} (or its {@code vision} subfolder when there is one); any failure becomes an
     * {@link Unavailable} with the reason, logged once.
     */
    static MemoryModel load(Path modelDir, StarSizes sizes, TokenType tokenType, CpuKernels.Choice kernels, int threads,
                            long maxStateBytes) {
        Logger log = LoggerFactory.getLogger(MemoryModel.class);
        if (modelDir == null) {
            return unavailable(log, "no model folder configured (vstream.memory.model-dir)");
        }
        boolean subfolder = Files.isDirectory(modelDir.resolve(VISION_FOLDER));
        Path folder = subfolder ? modelDir.resolve(VISION_FOLDER) : modelDir;
        Path dirName = modelDir.toAbsolutePath().normalize().getFileName();
        String name = (dirName == null ? "/" : dirName.toString()) + (subfolder ? "/" + VISION_FOLDER : "");
        if (!Files.isRegularFile(folder.resolve("config.json"))) {
            return unavailable(log, "no vision checkpoint at " + folder.toAbsolutePath() + " (config.json missing)");
        }
        VisionEncoder encoder;
        try {
            encoder = VisionEncoder.load(folder, name, kernels, threads);
        } catch (Exception e) {
            return unavailable(log, "vision encoder at " + folder.toAbsolutePath() + " failed to load: " + e.getMessage());
        }
        try {
            StarMemoryConfig star = sizes.forInput(encoder.grid(), encoder.grid(), encoder.channels());
            // Stored split: one record of the core, one per buffered frame (so the buffer's length is free).
            long record = Math.max(coreStateBytes(star), frameRecordBytes(star));
            if (record > maxStateBytes) {
                throw new IllegalArgumentException("a stored STAR memory record of this config takes about "
                        + (record >> 10) + " KiB (the core " + (coreStateBytes(star) >> 10) + " KiB, one buffered frame "
                        + (frameRecordBytes(star) >> 10) + " KiB), more than the " + (maxStateBytes >> 10)
                        + " KiB a store record may have; lower vstream.memory.star.spatial-pool or the slots");
            }
            log.info("STAR memory: {} tokens published, about {} MiB per live "
                    + "stream ({} buffered frames at {}x{})", star.maxTokens(), fullStateBytes(star) >> 20,
                    star.bufferFrames(), star.spatialPool(), star.spatialPool());
            Path attentionFile = Files.isRegularFile(modelDir.resolve(ATTENTION_FILE)) ? modelDir.resolve(ATTENTION_FILE)
                    : folder.resolve(ATTENTION_FILE);
            SemanticAttention attention;
            boolean trained = Files.isRegularFile(attentionFile);
            if (trained) {
                attention = SemanticAttention.load(attentionFile, "");
                if (attention.dim() != star.attentionDim() || attention.channels() != star.channels()) {
                    throw new IllegalArgumentException(attentionFile + " projects " + attention.channels() + " -> "
                            + attention.dim() + " but the memory needs " + star.channels() + " -> " + star.attentionDim());
                }
            } else {
                attention = SemanticAttention.random(star.attentionDim(), star.channels(), star.seed());
                log.warn("No {} in {}: the abstract memory's semantic-attention q/k projections are seeded random "
                        + "(seed {}), not trained; abstract tokens are not those of a trained Flash-VStream",
                        ATTENTION_FILE, modelDir.toAbsolutePath(), star.seed());
            }
            log.info("Memory model: encoder {} ({} config sha256 {}), {}x{}x{} features, STAR {} tokens, {} tokens in snapshots",
                    folder.toAbsolutePath(), encoder.identity().name(), encoder.identity().configSha256(),
                    encoder.grid(), encoder.grid(), encoder.channels(), star.maxTokens(), tokenType);
            return new Loaded(encoder, star, attention, trained, tokenType);
        } catch (Exception e) {
            encoder.close();
            return unavailable(log, "memory model from " + modelDir.toAbsolutePath() + " is unusable: " + e.getMessage());
        }
    }

    /**
     * Upper estimate of a full memory's state bytes: the frame buffer (P_tem and P_spa copies of N_buff frames)
     * dominates, then the temporal centroids and the abstract slots.
     */
    static long fullStateBytes(StarMemoryConfig star) {
        return star.bufferFrames() * frameRecordBytes(star) + coreStateBytes(star);
    }

    /** Upper estimate of one buffered frame's stored record: its P_tem and P_spa copies. */
    static long frameRecordBytes(StarMemoryConfig star) {
        return 64 + 4L * star.channels() * (star.temporalTokens() + star.spatialTokens());
    }

    /** Upper estimate of the core record: everything but the buffered frames (temporal centroids, abstract slots). */
    static long coreStateBytes(StarMemoryConfig star) {
        long c = star.channels();
        long temporal = star.temporalSlots() * (4 * c * star.temporalTokens() + 64);
        long abstractSlots = (long) (star.abstractSlots() + star.abstractChunkFrames()) * star.abstractTokens() * (4 * c + 8);
        return temporal + abstractSlots + 4096;
    }

    private static Unavailable unavailable(Logger log, String reason) {
        log.warn("No memory model, so no memory is kept and no snapshot is published: {}", reason);
        return new Unavailable(reason);
    }
}
