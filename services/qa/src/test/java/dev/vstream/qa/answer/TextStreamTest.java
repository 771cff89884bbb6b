package dev.vstream.qa.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class TextStreamTest {
    /** Ids are bytes, as in the demo tokenizer. */
    private static final Function<int[], String> BYTES = ids -> {
        byte[] b = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
            b[i] = (byte) ids[i];
        }
        return new String(b, StandardCharsets.UTF_8);
    };

    private static boolean feed(TextStream stream, String text) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            if (stream.add(b & 0xff)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void holdsBackIncompleteCharactersAndCutsAtStopStrings() {
        List<String> pieces = new ArrayList<>();
        TextStream stream = new TextStream(BYTES, List.of("END"), pieces::add);
        assertThat(feed(stream, "héllo EN")).isFalse();
        assertThat(String.join("", pieces)).isEqualTo("héllo ");
        assertThat(pieces).noneMatch(p -> p.contains("\uFFFD"));
        assertThat(feed(stream, "D more")).isTrue();
        assertThat(stream.finish()).isEqualTo("héllo ");
        assertThat(String.join("", pieces)).isEqualTo("héllo ");
    }

    @Test
    void withoutStopStringsEverythingIsSent() {
        List<String> pieces = new ArrayList<>();
        TextStream stream = new TextStream(BYTES, List.of(), pieces::add);
        feed(stream, "abc");
        assertThat(pieces).containsExactly("a", "b", "c");
        assertThat(stream.finish()).isEqualTo("abc");
    }
}
