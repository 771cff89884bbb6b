package dev.vstream.model.demo;

import dev.vstream.model.loader.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * How a generated demo checkpoint lands in its folder, the same for every generator: written into a staging folder
 * beside it with its marker last, then moved in at once, so a crash never leaves half a checkpoint; a folder that
 * holds something else is left as it is. Also the pieces every demo checkpoint has: the byte-level tokenizer and
 * the {@code mlp2x_gelu} projector.
 */
final class DemoFolder {

    /** Writes a checkpoint's files (not its marker) into a folder. */
    interface Contents {
        void write(Path folder) throws IOException;
    }

    private DemoFolder() {
    }

    /**
     * {@code folder} holding the checkpoint whose marker is {@code marker}: already there, or generated now.
     *
     * @param replaceable whether an existing folder may be replaced (a demo checkpoint of this generator, of another
     *                    version or width); an empty folder always may
     * @param what        the checkpoint, for messages
     * @return whether it was generated now
     * @throws ModelLoadException when the folder holds something else, or cannot be written
     */
    static boolean ensure(Path folder, String marker, Predicate<Path> replaceable, String what, Contents contents) {
        try {
            Path markerFile = folder.resolve(DemoCheckpoint.MARKER);
            if (Files.isRegularFile(markerFile) && Files.readString(markerFile).equals(marker)) {
                return false;
            }
            if (Files.isDirectory(folder) && !replaceable.test(folder) && !isEmpty(folder)) {
                throw new ModelLoadException(folder + " is not empty and holds no " + DemoCheckpoint.MARKER + " of the "
                        + what + ": not a generated demo checkpoint, left as it is");
            }
            Path parent = folder.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path staging = Files.createTempDirectory(parent, folder.getFileName() + ".tmp");
            contents.write(staging);
            Files.writeString(staging.resolve(DemoCheckpoint.MARKER), marker);
            if (Files.isDirectory(folder)) {
                deleteTree(folder);
            }
            Files.move(staging, folder, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new ModelLoadException("cannot write the " + what + " to " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The byte-level {@code tokenizer.json} and the {@code generation_config.json} naming its special tokens. */
    static void writeTokenizer(Path folder) throws IOException {
        Files.writeString(folder.resolve("generation_config.json"),
                "{\"bos_token_id\": " + ByteLevelTokenizer.END_OF_TEXT + ", \"eos_token_id\": "
                        + ByteLevelTokenizer.END_OF_TEXT + ", \"pad_token_id\": " + ByteLevelTokenizer.PAD + "}\n");
        Files.writeString(folder.resolve("tokenizer.json"), ByteLevelTokenizer.json(), StandardCharsets.UTF_8);
    }

    /** The {@code mlp2x_gelu} projector from visual tokens of {@code visionWidth} to the model's {@code hidden}. */
    static List<RandomSafetensors.Spec> projectorTensors(int hidden, int visionWidth) {
        String p = "model.mm_projector.";
        return List.of(spec(p + "0.weight", RandomSafetensors.Fill.MATRIX, hidden, visionWidth),
                spec(p + "0.bias", RandomSafetensors.Fill.ZEROS, hidden),
                spec(p + "2.weight", RandomSafetensors.Fill.MATRIX, hidden, hidden),
                spec(p + "2.bias", RandomSafetensors.Fill.ZEROS, hidden));
    }

    static RandomSafetensors.Spec spec(String name, RandomSafetensors.Fill fill, long... shape) {
        return new RandomSafetensors.Spec(name, fill, shape);
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path folder) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(folder)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.delete(p);
        }
    }
}
