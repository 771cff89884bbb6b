package dev.vstream.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.model.loader.ModelLoadException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-written BPE under test resources {@code tokenizer/tiny_bpe}: Metaspace
 * pre-tokenizer and decoder, ten merges building "▁hello" and "▁world", a TemplateProcessing
 * post-processor that adds {@code <s>}, and the special tokens {@code <unk> <s> </s> <pad>}
 * (ids 0-3).
 */
class TokenizerTest {

    static final int UNK = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    static final int PAD = 3;
    static final int HELLO = 16;
    static final int WORLD = 21;

    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = Tokenizer.load(folder());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static Path folder() {
        try {
            return Path.of(TokenizerTest.class.getResource("/tokenizer/tiny_bpe").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void encodesWithTheMergesAndThePostProcessorsBos() {
        assertThat(tokenizer.encode("hello world")).containsExactly(BOS, HELLO, WORLD);
        assertThat(tokenizer.encode("hello world", false)).containsExactly(HELLO, WORLD);
        // "hold": ▁h o l d; only "▁ h" and "l d" merge.
        assertThat(tokenizer.encode("hold", false)).containsExactly(12, 8, 20);
    }

    @Test
    void roundTripsText() {
        for (String text : List.of("hello world", "world hello hello", "low old word", "hello")) {
            assertThat(tokenizer.decode(tokenizer.encode(text), true)).isEqualTo(text);
            assertThat(tokenizer.decode(tokenizer.encode(text, false))).isEqualTo(text);
        }
    }

    @Test
    void decodeKeepsOrSkipsSpecialTokens() {
        int[] ids = {BOS, HELLO, WORLD, EOS};
        assertThat(tokenizer.decode(ids, true)).isEqualTo("hello world");
        assertThat(tokenizer.decode(ids, false)).contains("<s>").contains("</s>").contains("hello world");
    }

    @Test
    void specialTokensInTheTextAreRecognised() {
        assertThat(tokenizer.encode("hello</s>", false)).containsExactly(HELLO, EOS);
        assertThat(tokenizer.tokenId("</s>")).hasValue(EOS);
        assertThat(tokenizer.tokenId("<pad>")).hasValue(PAD);
        assertThat(tokenizer.tokenId("hello world")).isEmpty();
    }

    @Test
    void unknownCharactersBecomeUnk() {
        // "hex": ▁h e x; x is not in the vocabulary and unknowns are not fused.
        assertThat(tokenizer.encode("hex", false)).containsExactly(12, 6, UNK);
        assertThat(tokenizer.encode("ü€", false)).contains(UNK).doesNotContain(-1);
        assertThat(tokenizer.decode(new int[] {12, 6, UNK}, true)).isEqualTo("he");
    }

    @Test
    void longTextIsNotTruncated() {
        // tokenizer_config.json says model_max_length 8; the tokenizer must ignore it.
        String text = "hello world ".repeat(500).strip();
        int[] ids = tokenizer.encode(text);
        assertThat(ids).hasSize(1001);
        assertThat(tokenizer.decode(ids, true)).isEqualTo(text);
    }

    @Test
    void specialTokensComeFromTokenizerConfig() {
        SpecialTokens special = tokenizer.specialTokens();
        assertThat(special.bos()).hasValue(BOS);
        assertThat(special.eos()).containsExactly(EOS);
        assertThat(special.pad()).hasValue(PAD);
    }

    @Test
    void generationConfigAndConfigTakePrecedenceAndEosMayBeAList(@TempDir Path dir) throws IOException {
        copyTokenizer(dir);
        Files.writeString(dir.resolve("config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": 2, \"pad_token_id\": 0}");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [2, 3]}");
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertThat(t.specialTokens()).isEqualTo(new SpecialTokens(OptionalInt.of(1), List.of(2, 3), OptionalInt.of(0)));
        }
    }

    @Test
    void noConfigsMeansNoSpecialTokens(@TempDir Path dir) throws IOException {
        Files.copy(folder().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertThat(t.specialTokens()).isEqualTo(SpecialTokens.NONE);
        }
    }

    @Test
    void malformedEosIdNamesFileAndKey(@TempDir Path dir) throws IOException {
        copyTokenizer(dir);
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": \"two\"}");
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("generation_config.json").hasMessageContaining("eos_token_id");
    }

    @Test
    void missingTokenizerNamesTheFile(@TempDir Path dir) {
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
        assertThat(Tokenizer.isPresent(dir)).isFalse();
        assertThat(Tokenizer.isPresent(folder())).isTrue();
    }

    @Test
    void malformedTokenizerNamesTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\", \"vocab\": ");
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not a valid tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"NoSuchModel\"}}");
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void negativeIdsAreRejected() {
        assertThatThrownBy(() -> tokenizer.decode(new int[] {1, -4})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-4");
    }

    @Test
    void unwritableCacheFolderIsDetected(@TempDir Path dir) throws IOException {
        Path aFile = Files.writeString(dir.resolve("plain-file"), "x");
        assertThat(TokenizerNatives.isWritableFolder(aFile.resolve("cache"))).isFalse();
        assertThat(TokenizerNatives.isWritableFolder(dir.resolve("new/cache"))).isTrue();
    }

    @Test
    void djlIsOfflineOnceATokenizerLoaded() {
        assertThat(ai.djl.util.Utils.isOfflineMode()).isTrue();
    }

    private static void copyTokenizer(Path dir) throws IOException {
        Files.copy(folder().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(folder().resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
    }
}
