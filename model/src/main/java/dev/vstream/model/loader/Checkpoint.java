package dev.vstream.model.loader;

import static dev.vstream.model.loader.ModelLoadException.quote;

import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.loader.JsonValue.JsonObject;
import dev.vstream.model.loader.JsonValue.JsonString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hugging Face checkpoint folder: {@code config.json} plus one or more {@code *.safetensors}.
 * When {@code model.safetensors.index.json} is present its {@code weight_map} (tensor name to
 * shard file) decides which files are opened and where each tensor lives; otherwise every
 * {@code *.safetensors} in the folder is opened and a name found in two files is an error.
 * The index is checked against the shards at open time, so a broken download fails at start-up
 * rather than at the first forward pass. As in transformers, the index is authoritative: a tensor
 * a shard holds but the index does not list is not exposed.
 */
public final class Checkpoint implements AutoCloseable {

    public static final String CONFIG_FILE = "config.json";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** Hugging Face names of the output head and the input embedding it may be tied to. */
    public static final String LM_HEAD = "lm_head.weight";
    public static final String EMBED_TOKENS = "model.embed_tokens.weight";

    private static final Logger log = LoggerFactory.getLogger(Checkpoint.class);
    /** Index files list every tensor once: tens of thousands of lines for the largest models. */
    private static final long MAX_INDEX_BYTES = 64L << 20;
    private static final int INDEX_MAX_DEPTH = 8;

    private final Path folder;
    private final ModelConfig config;
    private final List<SafetensorsFile> files;
    private final NavigableMap<String, SafetensorsFile> fileOfTensor;

    private Checkpoint(Path folder, ModelConfig config, List<SafetensorsFile> files,
            Map<String, SafetensorsFile> fileOfTensor) {
        this.folder = folder;
        this.config = config;
        this.files = List.copyOf(files);
        this.fileOfTensor = Collections.unmodifiableNavigableMap(new TreeMap<>(fileOfTensor));
    }

    /** Opens a checkpoint folder, mapping its safetensors files and validating every header. */
    public static Checkpoint open(Path checkpointFolder) {
        // Absolute and normalized: messages then name an unambiguous path, and the shard check
        // below compares parents reliably.
        Path folder = checkpointFolder.toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            throw new ModelLoadException(folder + ": not a checkpoint folder (no such directory)");
        }
        ModelConfig config = ModelConfig.read(folder.resolve(CONFIG_FILE));
        Map<String, SafetensorsFile> opened = new LinkedHashMap<>();
        try {
            Path index = folder.resolve(INDEX_FILE);
            Map<String, SafetensorsFile> fileOfTensor = Files.exists(index)
                    ? openSharded(folder, index, opened)
                    : openAll(folder, opened);
            Checkpoint checkpoint = new Checkpoint(folder, config, new ArrayList<>(opened.values()), fileOfTensor);
            log.info("Checkpoint loaded: {} ({} tensors in {} safetensors files, {} MiB mapped)",
                    folder, fileOfTensor.size(), opened.size(), checkpoint.dataSize() >> 20);
            return checkpoint;
        } catch (RuntimeException | Error e) {
            opened.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, SafetensorsFile> openSharded(Path folder, Path index,
            Map<String, SafetensorsFile> opened) {
        JsonValue document = JsonValue.readFile(index, MAX_INDEX_BYTES, INDEX_MAX_DEPTH);
        if (!(document instanceof JsonObject root)
                || !(root.members().get("weight_map") instanceof JsonObject weightMap)) {
            throw new ModelLoadException(index + ": expected an object with a 'weight_map' object");
        }
        if (weightMap.members().isEmpty()) {
            throw new ModelLoadException(index + ": weight_map is empty");
        }
        Map<String, SafetensorsFile> fileOfTensor = new TreeMap<>();
        for (Map.Entry<String, JsonValue> entry : weightMap.members().entrySet()) {
            String tensor = entry.getKey();
            if (!(entry.getValue() instanceof JsonString(String shardName))) {
                throw new ModelLoadException(index + ": weight_map entry for tensor " + quote(tensor)
                        + " is " + entry.getValue().typeName() + ", expected a file name");
            }
            SafetensorsFile shard = opened.get(shardName);
            if (shard == null) {
                shard = SafetensorsFile.open(shardPath(folder, index, tensor, shardName));
                opened.put(shardName, shard);
            }
            if (!shard.contains(tensor)) {
                throw new ModelLoadException(index + ": weight_map puts tensor " + quote(tensor)
                        + " in " + shard.path() + ", which does not contain it");
            }
            fileOfTensor.put(tensor, shard);
        }
        return fileOfTensor;
    }

    /** A shard must be a plain file name inside the folder: no paths, no escaping via "..". */
    private static Path shardPath(Path folder, Path index, String tensor, String shardName) {
        Path shard = folder.resolve(shardName).normalize();
        boolean plainName = !shardName.isEmpty() && shardName.indexOf('/') < 0
                && shardName.indexOf('\\') < 0 && shardName.indexOf('\0') < 0
                && !shardName.equals(".") && !shardName.equals("..");
        if (!plainName || !folder.equals(shard.getParent())) {
            throw new ModelLoadException(index + ": weight_map puts tensor " + quote(tensor)
                    + " in " + quote(shardName) + ", which is not a file name inside " + folder);
        }
        if (!Files.isRegularFile(shard)) {
            throw new ModelLoadException(index + ": weight_map puts tensor " + quote(tensor)
                    + " in missing shard " + shard);
        }
        return shard;
    }

    private static Map<String, SafetensorsFile> openAll(Path folder, Map<String, SafetensorsFile> opened) {
        List<Path> paths;
        try (Stream<Path> listing = Files.list(folder)) {
            paths = listing.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new ModelLoadException(folder + ": cannot list: " + e, e);
        }
        if (paths.isEmpty()) {
            throw new ModelLoadException(folder + ": no *.safetensors files and no " + INDEX_FILE);
        }
        Map<String, SafetensorsFile> fileOfTensor = new TreeMap<>();
        for (Path path : paths) {
            SafetensorsFile file = SafetensorsFile.open(path);
            opened.put(path.getFileName().toString(), file);
            for (String tensor : file.names()) {
                SafetensorsFile previous = fileOfTensor.putIfAbsent(tensor, file);
                if (previous != null) {
                    throw new ModelLoadException(folder + ": tensor " + quote(tensor) + " is in both "
                            + previous.path().getFileName() + " and " + path.getFileName()
                            + " (add an " + INDEX_FILE + " to say which one is meant)");
                }
            }
        }
        return fileOfTensor;
    }

    public Path folder() {
        return folder;
    }

    public ModelConfig config() {
        return config;
    }

    /** All tensor names, sorted. */
    public NavigableSet<String> tensorNames() {
        return fileOfTensor.navigableKeySet();
    }

    public boolean has(String name) {
        return fileOfTensor.containsKey(name);
    }

    /** Header entry of a tensor: dtype, shape, byte range. */
    public TensorInfo info(String name) {
        return fileOf(name).info(name);
    }

    /** The tensor as a view of its mapped file. */
    public Tensor tensor(String name) {
        return fileOf(name).tensor(name);
    }

    /**
     * The tensor after checking its shape ({@code -1} accepts any size in that dimension).
     *
     * @throws ShapeMismatchException naming the shard file, the tensor and both shapes
     */
    public Tensor tensor(String name, long... expectedShape) {
        return fileOf(name).tensor(name, expectedShape);
    }

    /** {@link #outputEmbedding} with the usual Hugging Face names. */
    public Tensor lmHead(long... expectedShape) {
        return outputEmbedding(LM_HEAD, EMBED_TOKENS, expectedShape);
    }

    /**
     * The output projection: {@code headName} when stored, else, if the config ties the
     * embeddings, the input embedding {@code embeddingName} (the same {@code (vocab, hidden)}
     * matrix). An absent {@code tie_word_embeddings} counts as true, the default of
     * transformers' {@code PretrainedConfig}: tied checkpoints often omit both the key and the
     * head (Phi-4-mini-flash sets it; for Nemotron-Flash it is unverified).
     */
    public Tensor outputEmbedding(String headName, String embeddingName, long... expectedShape) {
        if (has(headName)) {
            return tensor(headName, expectedShape);
        }
        if (!config.getBoolean("tie_word_embeddings", true)) {
            throw new ModelLoadException(folder + ": no tensor " + quote(headName) + " and "
                    + config.source() + " sets tie_word_embeddings to false, so "
                    + quote(embeddingName) + " cannot stand in for it"
                    + NearestNames.suffix(headName, fileOfTensor.keySet()));
        }
        return tensor(embeddingName, expectedShape);
    }

    /** Total bytes of tensor data across all files. */
    public long dataSize() {
        return files.stream().mapToLong(SafetensorsFile::dataSize).sum();
    }

    private SafetensorsFile fileOf(String name) {
        SafetensorsFile file = fileOfTensor.get(name);
        if (file == null) {
            throw new ModelLoadException(folder + ": no tensor " + quote(name) + " in the checkpoint ("
                    + fileOfTensor.size() + " tensors in " + files.size() + " files)"
                    + NearestNames.suffix(name, fileOfTensor.keySet()));
        }
        return file;
    }

    /** Unmaps every file; tensors obtained earlier become unreadable. */
    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "Checkpoint[" + folder + ", " + fileOfTensor.size() + " tensors in " + files.size() + " files]";
    }
}
