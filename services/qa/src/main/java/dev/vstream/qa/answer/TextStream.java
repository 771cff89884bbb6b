package dev.vstream.qa.answer;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns generated tokens into text pieces: decodes the whole answer after every token and hands on what is
 * new, holding back an incomplete UTF-8 sequence (decoded as U+FFFD) and the last characters that could still
 * begin a stop string, so nothing that later turns out to be part of a stop string is ever sent.
 */
final class TextStream {
    private final Function<int[], String> decode;
    private final List<String> stop;
    private final Consumer<String> sink;
    private final int holdBack;
    private int[] tokens = new int[16];
    private int count;
    private String text = "";
    private int sent;

    TextStream(Function<int[], String> decode, List<String> stop, Consumer<String> sink) {
        this.decode = decode;
        this.stop = stop;
        this.sink = sink;
        this.holdBack = stop.stream().mapToInt(String::length).max().orElse(1) - 1;
    }

    /** Adds a token; true when the text now contains a stop string (it is cut there). */
    boolean add(int token) {
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, 2 * count);
        }
        tokens[count++] = token;
        text = decode.apply(Arrays.copyOf(tokens, count));
        int cut = -1;
        for (String s : stop) {
            int at = text.indexOf(s);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            text = text.substring(0, cut);
            flush(text.length());
            return true;
        }
        int safe = text.length() - holdBack;
        while (safe > sent && text.charAt(safe - 1) == '\uFFFD') {
            safe--;
        }
        flush(safe);
        return false;
    }

    /** Sends the rest and returns the whole text. */
    String finish() {
        flush(text.length());
        return text;
    }

    private void flush(int upTo) {
        if (upTo > sent) {
            sink.accept(text.substring(sent, upTo));
            sent = upTo;
        }
    }
}
