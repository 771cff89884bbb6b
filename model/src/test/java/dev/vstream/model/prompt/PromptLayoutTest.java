package dev.vstream.model.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.model.prompt.PromptLayout.Segment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PromptLayoutTest {

    /** One token per byte, so the text of a segment reads back. */
    private static final Function<String, int[]> BYTES = s -> {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = b[i] & 0xff;
        }
        return ids;
    };

    private static String text(Segment segment) {
        int[] ids = ((Segment.Text) segment).tokens();
        byte[] b = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
            b[i] = (byte) ids[i];
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void partsThenSlotsWithTheirMeanTimes() {
        var memory = new PromptLayout.MemoryTokens(
                new String[] {"abstract", "temporal", "temporal", "temporal", "spatial", "spatial"},
                new int[] {0, 0, 0, 1, 0, 0},
                new long[] {5_000_000, 1_000_000, 2_000_000, 4_250_000, 9_500_000, 9_500_000});
        List<Segment> prefix = PromptLayout.memoryPrefix(BYTES, memory);
        assertThat(prefix).hasSize(15);
        assertThat(text(prefix.get(0))).isEqualTo("Video memory:\n");
        assertThat(text(prefix.get(1))).isEqualTo("[abstract]\n");
        assertThat(text(prefix.get(2))).isEqualTo("<t=5.0s>");
        assertThat(prefix.get(3)).isEqualTo(new Segment.Memory(0, 1));
        assertThat(text(prefix.get(4))).isEqualTo("\n");
        assertThat(text(prefix.get(5))).isEqualTo("[temporal]\n");
        assertThat(text(prefix.get(6))).isEqualTo("<t=1.5s>");
        assertThat(prefix.get(7)).isEqualTo(new Segment.Memory(1, 3));
        assertThat(text(prefix.get(8))).isEqualTo("<t=4.3s>");
        assertThat(prefix.get(9)).isEqualTo(new Segment.Memory(3, 4));
        assertThat(text(prefix.get(10))).isEqualTo("\n");
        assertThat(text(prefix.get(11))).isEqualTo("[spatial]\n");
        assertThat(text(prefix.get(12))).isEqualTo("<t=9.5s>");
        assertThat(prefix.get(13)).isEqualTo(new Segment.Memory(4, 6));
        assertThat(text(prefix.get(14))).isEqualTo("\n");
        int textTokens = prefix.stream().filter(s -> s instanceof Segment.Text).mapToInt(s -> ((Segment.Text) s).tokens().length).sum();
        assertThat(PromptLayout.length(prefix)).isEqualTo(textTokens + 6);
        assertThat(PromptLayout.VERSION).isEqualTo(1);
    }

    @Test
    void questionAfterThePrefix() {
        assertThat(new String(toBytes(PromptLayout.question(BYTES, "what colour?")), StandardCharsets.UTF_8))
                .isEqualTo("Question: what colour?\nAnswer:");
    }

    @Test
    void emptyMemoryIsJustTheHeaderAndMismatchedArraysAreRejected() {
        assertThat(PromptLayout.memoryPrefix(BYTES, new PromptLayout.MemoryTokens(new String[0], new int[0], new long[0])))
                .hasSize(1);
        assertThatThrownBy(() -> new PromptLayout.MemoryTokens(new String[1], new int[0], new long[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] toBytes(int[] ids) {
        byte[] b = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
            b[i] = (byte) ids[i];
        }
        return b;
    }
}
