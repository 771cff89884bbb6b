package dev.vstream.model.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.vstream.model.loader.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The text side of a checkpoint: a Hugging Face {@code tokenizer.json} run by the Rust
 * {@code tokenizers} library through DJL, plus the special token ids.
 *
 * <p>Nothing is ever downloaded: the tokenizer is built from the local file only (the stream
 * constructor, which also ignores tokenizer_config.json's truncation and padding hints), and
 * DJL is put in offline mode before its natives load (see {@link TokenizerNatives}).
 * Truncation and padding are off: {@link #encode} returns every token of the text.
 *
 * <p>Owns a native handle: close it. Encoding and decoding are thread-safe (the Rust
 * tokenizer is immutable).
 */
public final class Tokenizer implements AutoCloseable {

    public static final String TOKENIZER_FILE = "tokenizer.json";

    private static final Logger log = LoggerFactory.getLogger(Tokenizer.class);

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;
    private final SpecialTokens specialTokens;

    private Tokenizer(Path file, HuggingFaceTokenizer tokenizer, Path folder) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.specialTokens = SpecialTokens.read(folder, this::tokenId);
    }

    /** Whether {@code folder} holds a {@code tokenizer.json}. */
    public static boolean isPresent(Path folder) {
        return Files.isRegularFile(folder.resolve(TOKENIZER_FILE));
    }

    /**
     * Loads {@code tokenizer.json} from a checkpoint folder and its special tokens from the
     * folder's configs (see {@link SpecialTokens#read}).
     *
     * @throws ModelLoadException naming the file when it is missing, unreadable or malformed
     */
    public static Tokenizer load(Path folder) {
        Objects.requireNonNull(folder, "folder");
        Path file = folder.resolve(TOKENIZER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(file + ": no tokenizer file"
                    + (Files.isDirectory(folder) ? "" : " (" + folder + " is not a folder)"));
        }
        TokenizerNatives.prepare();
        HuggingFaceTokenizer tokenizer;
        try (InputStream in = Files.newInputStream(file)) {
            tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of(
                    "addSpecialTokens", "true", "truncation", "false", "padding", "false"));
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read the tokenizer: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // The Rust parser reports JSON and schema errors as a RuntimeException.
            throw new ModelLoadException(file + ": not a valid tokenizer.json: " + e.getMessage(), e);
        }
        try {
            Tokenizer loaded = new Tokenizer(file, tokenizer, folder);
            log.info("Tokenizer loaded from {} (tokenizers {}), special tokens {}", file, tokenizer.getVersion(),
                    loaded.specialTokens);
            return loaded;
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** {@link #encode(String, boolean)} with the special tokens the post-processor adds. */
    public int[] encode(String text) {
        return encode(text, true);
    }

    /**
     * Token ids of {@code text}.
     *
     * @param addSpecialTokens whether the tokenizer's post-processor adds its special tokens
     *                         (e.g. a leading BOS); special tokens written in the text are
     *                         always recognised
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        Encoding encoding = tokenizer.encode(text, addSpecialTokens, false);
        return toInts(encoding.getIds());
    }

    /** {@link #decode(int[], boolean)} keeping special tokens. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * Text of {@code ids}.
     *
     * @param skipSpecialTokens drop special tokens (BOS, EOS, ...) from the text
     * @throws IllegalArgumentException on a negative id
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw new IllegalArgumentException("negative token id " + ids[i] + " at " + i);
            }
            wide[i] = ids[i];
        }
        return tokenizer.decode(wide, skipSpecialTokens);
    }

    /**
     * The id of a token written exactly as in the vocabulary (e.g. {@code "</s>"}), if the text
     * encodes to that single token.
     */
    public OptionalInt tokenId(String token) {
        long[] ids = tokenizer.encode(token, false, false).getIds();
        return ids.length == 1 ? OptionalInt.of(Math.toIntExact(ids[0])) : OptionalInt.empty();
    }

    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "Tokenizer[" + file + "]";
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }
}
