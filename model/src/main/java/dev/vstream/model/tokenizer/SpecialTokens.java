package dev.vstream.model.tokenizer;

import dev.vstream.model.loader.ModelConfig;
import dev.vstream.model.loader.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The special token ids a generation loop needs.
 *
 * @param bos begin-of-sequence id, if any
 * @param eos end-of-sequence ids (generation stops on any of them); empty if none is known.
 *            Hugging Face writes {@code eos_token_id} as an int or a list of ints.
 * @param pad padding id, if any
 */
public record SpecialTokens(OptionalInt bos, List<Integer> eos, OptionalInt pad) {

    public static final String GENERATION_CONFIG_FILE = "generation_config.json";
    public static final String CONFIG_FILE = "config.json";
    public static final String TOKENIZER_CONFIG_FILE = "tokenizer_config.json";

    public static final SpecialTokens NONE = new SpecialTokens(OptionalInt.empty(), List.of(), OptionalInt.empty());

    public SpecialTokens {
        eos = List.copyOf(eos);
    }

    /**
     * Reads the ids from the files of a checkpoint folder, first source that names a token
     * wins: {@code generation_config.json} (what {@code generate()} uses), then
     * {@code config.json} ({@code bos_token_id}, {@code eos_token_id}, {@code pad_token_id}),
     * then {@code tokenizer_config.json} ({@code bos_token}, {@code eos_token},
     * {@code pad_token} as a string or an {@code {"content": ...}} object, turned into an id
     * with {@code tokenId}; a token the vocabulary lacks is ignored). Absent files are skipped.
     *
     * @throws ModelLoadException naming the file and key of a malformed entry
     */
    public static SpecialTokens read(Path folder, Function<String, OptionalInt> tokenId) {
        SpecialTokens found = NONE;
        for (String name : List.of(GENERATION_CONFIG_FILE, CONFIG_FILE)) {
            Path file = folder.resolve(name);
            if (Files.isRegularFile(file)) {
                ModelConfig config = ModelConfig.read(file);
                found = found.orElse(new SpecialTokens(optionalInt(config, "bos_token_id"),
                        intOrList(config, "eos_token_id"), optionalInt(config, "pad_token_id")));
            }
        }
        Path tokenizerConfig = folder.resolve(TOKENIZER_CONFIG_FILE);
        if (Files.isRegularFile(tokenizerConfig)) {
            ModelConfig config = ModelConfig.read(tokenizerConfig);
            OptionalInt eos = tokenId(config, "eos_token", tokenId);
            found = found.orElse(new SpecialTokens(tokenId(config, "bos_token", tokenId),
                    eos.isPresent() ? List.of(eos.getAsInt()) : List.of(), tokenId(config, "pad_token", tokenId)));
        }
        return found;
    }

    /** This, with each token it lacks taken from {@code other}. */
    SpecialTokens orElse(SpecialTokens other) {
        return new SpecialTokens(bos.isPresent() ? bos : other.bos, eos.isEmpty() ? other.eos : eos,
                pad.isPresent() ? pad : other.pad);
    }

    private static OptionalInt optionalInt(ModelConfig config, String key) {
        return config.has(key) ? OptionalInt.of(config.getInt(key)) : OptionalInt.empty();
    }

    /** {@code "eos_token_id": 2} or {@code "eos_token_id": [2, 32007]}. */
    private static List<Integer> intOrList(ModelConfig config, String key) {
        if (!config.has(key)) {
            return List.of();
        }
        try {
            return List.of(config.getInt(key));
        } catch (ModelLoadException notAnInt) {
            try {
                return config.getIntList(key);
            } catch (ModelLoadException notAList) {
                throw new ModelLoadException(config.source() + ": key '" + key
                        + "' must be an integer or a list of integers", notAList);
            }
        }
    }

    /** {@code "eos_token": "</s>"} or {@code "eos_token": {"content": "</s>", ...}}. */
    private static OptionalInt tokenId(ModelConfig config, String key, Function<String, OptionalInt> tokenId) {
        if (!config.has(key)) {
            return OptionalInt.empty();
        }
        String content;
        try {
            content = config.getString(key);
        } catch (ModelLoadException notAString) {
            content = config.getSection(key).getString("content");
        }
        return tokenId.apply(content);
    }
}
