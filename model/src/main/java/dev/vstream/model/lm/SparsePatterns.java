package dev.vstream.model.lm;

import dev.vstream.kernels.sparse.PatternConfig;
import dev.vstream.model.loader.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The per-head sparse attention patterns a checkpoint folder may ship (the offline pattern search's output),
 * read and checked the same way for every model that implements {@link SparsePrefill}.
 */
public final class SparsePatterns {
    /** Name of the pattern file inside a checkpoint folder. */
    public static final String FILE = "sparse_patterns.json";

    private SparsePatterns() {
    }

    /**
     * @return the folder's patterns, or {@code null} when it has no {@value #FILE}
     * @throws ModelLoadException when the file is there but cannot be read
     */
    public static PatternConfig read(Path folder) {
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return PatternConfig.read(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelLoadException(file + ": cannot read the sparse patterns: " + e.getMessage(), e);
        }
    }

    /**
     * @param layers    the model's attention layers that prefill sparsely, in order
     * @param heads     query heads per such layer
     * @param layerKind what those layers are called in the message, e.g. "attention operators"
     * @throws IllegalArgumentException unless {@code candidate} has one layer per such layer, one entry per head
     */
    public static void check(PatternConfig candidate, int layers, int heads, String layerKind) {
        if (candidate.layers().size() != layers) {
            throw new IllegalArgumentException("pattern config has " + candidate.layers().size()
                    + " layers, the model has " + layers + " " + layerKind);
        }
        for (int l = 0; l < layers; l++) {
            if (candidate.layer(l).size() != heads) {
                throw new IllegalArgumentException("pattern config layer " + l + " has " + candidate.layer(l).size()
                        + " heads, the model has " + heads);
            }
        }
    }
}
