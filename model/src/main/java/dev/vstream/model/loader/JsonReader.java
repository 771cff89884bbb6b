package dev.vstream.model.loader;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A strict pull parser for RFC 8259 JSON, written for the three JSON files of a checkpoint
 * (safetensors header, config.json, the shard index). Strict means: no comments, no trailing
 * commas, no leading zeros, no NaN/Infinity, no unescaped control characters, no unpaired
 * surrogate escapes, nothing but whitespace after the value, and a hard nesting limit so hostile
 * input can never overflow the stack. The caller drives it by the grammar it expects, so a
 * safetensors header is checked as it is read and never becomes a generic tree.
 *
 * <p>Every error is a {@link ModelLoadException} naming the source, the current context (e.g. the
 * tensor being read) and the character offset.
 */
final class JsonReader {

    enum Kind { OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL }

    /** Longer number lexemes are hostile: no real checkpoint number has more than ~25 chars. */
    private static final int MAX_NUMBER_LENGTH = 400;

    private final String text;
    private final String source;
    private final int maxDepth;
    /** first[d]: no member/element has been read yet in the container open at depth d. */
    private final boolean[] first;
    private int pos;
    private int depth;
    private String context = "";

    JsonReader(String text, String source, int maxDepth) {
        this.text = text;
        this.source = source;
        this.maxDepth = maxDepth;
        this.first = new boolean[maxDepth + 1];
    }

    /** Decodes strict UTF-8 (no overlong forms, no encoded surrogates), naming the bad byte. */
    static String decodeUtf8(ByteBuffer bytes, String source) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int start = bytes.position();
        // UTF-8 never yields more UTF-16 units than it has bytes.
        CharBuffer out = CharBuffer.allocate(bytes.remaining());
        CoderResult result = decoder.decode(bytes, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new ModelLoadException(source + ": not valid UTF-8 at byte "
                    + (bytes.position() - start));
        }
        return out.flip().toString();
    }

    /** Names what is being read, e.g. {@code tensor 'a.weight'}, in later error messages. */
    void setContext(String context) {
        this.context = context;
    }

    ModelLoadException error(String problem) {
        return new ModelLoadException(source + ": " + (context.isEmpty() ? "" : context + ": ")
                + problem + " at character " + pos);
    }

    Kind peek() {
        skipWhitespace();
        if (pos >= text.length()) {
            throw error("unexpected end of input");
        }
        return switch (text.charAt(pos)) {
            case '{' -> Kind.OBJECT;
            case '[' -> Kind.ARRAY;
            case '"' -> Kind.STRING;
            case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> Kind.NUMBER;
            case 't', 'f' -> Kind.BOOLEAN;
            case 'n' -> Kind.NULL;
            default -> throw error("unexpected " + found());
        };
    }

    void beginObject() {
        open('{', "an object");
    }

    void beginArray() {
        open('[', "an array");
    }

    /** Before each member: true if one follows (separator consumed), false after the '}'. */
    boolean hasNextMember() {
        return hasNext('}');
    }

    /** Before each element: true if one follows (separator consumed), false after the ']'. */
    boolean hasNextElement() {
        return hasNext(']');
    }

    /** A member name and its ':' separator. */
    String nextName() {
        String name = nextString();
        skipWhitespace();
        expect(':', "':' after a member name");
        return name;
    }

    String nextString() {
        skipWhitespace();
        if (pos >= text.length() || text.charAt(pos) != '"') {
            throw error("expected a string but found " + found());
        }
        int chunkStart = ++pos;
        StringBuilder escaped = null;
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                String value = escaped == null
                        ? text.substring(chunkStart, pos)
                        : escaped.append(text, chunkStart, pos).toString();
                pos++;
                return value;
            }
            if (c < 0x20) {
                throw error("unescaped control character 0x" + Integer.toHexString(c) + " in a string");
            }
            if (c == '\\') {
                if (escaped == null) {
                    escaped = new StringBuilder();
                }
                escaped.append(text, chunkStart, pos);
                pos++;
                readEscape(escaped);
                chunkStart = pos;
            } else {
                pos++;
            }
        }
    }

    /** The lexeme of a number, checked against the JSON number grammar. */
    String nextNumber() {
        skipWhitespace();
        int start = pos;
        if (peekChar() == '-') {
            pos++;
        }
        if (peekChar() == '0') {
            pos++;
        } else if (isDigit(peekChar())) {
            skipDigits();
        } else {
            throw error("expected a number but found " + found());
        }
        if (peekChar() == '.') {
            pos++;
            requireDigits("a digit after the decimal point");
        }
        if (peekChar() == 'e' || peekChar() == 'E') {
            pos++;
            if (peekChar() == '+' || peekChar() == '-') {
                pos++;
            }
            requireDigits("a digit in the exponent");
        }
        if (pos - start > MAX_NUMBER_LENGTH) {
            throw error("number longer than " + MAX_NUMBER_LENGTH + " characters");
        }
        return text.substring(start, pos);
    }

    /** A number that must be an integer lexeme (no fraction, no exponent) within long range. */
    long nextLong() {
        String lexeme = nextNumber();
        if (!isIntegerLexeme(lexeme)) {
            throw error("expected an integer but found " + lexeme);
        }
        try {
            return Long.parseLong(lexeme);
        } catch (NumberFormatException e) {
            throw error("integer " + lexeme + " is out of range");
        }
    }

    boolean nextBoolean() {
        skipWhitespace();
        if (text.startsWith("true", pos)) {
            pos += 4;
            return true;
        }
        if (text.startsWith("false", pos)) {
            pos += 5;
            return false;
        }
        throw error("expected true or false but found " + found());
    }

    void nextNull() {
        skipWhitespace();
        if (!text.startsWith("null", pos)) {
            throw error("expected null but found " + found());
        }
        pos += 4;
    }

    /** After the top-level value: only whitespace may follow (safetensors pads with spaces). */
    void endDocument() {
        skipWhitespace();
        if (pos != text.length()) {
            throw error("unexpected " + found() + " after the end of the JSON value");
        }
    }

    static boolean isIntegerLexeme(String lexeme) {
        return lexeme.indexOf('.') < 0 && lexeme.indexOf('e') < 0 && lexeme.indexOf('E') < 0;
    }

    private void open(char bracket, String what) {
        skipWhitespace();
        if (pos >= text.length() || text.charAt(pos) != bracket) {
            throw error("expected " + what + " but found " + found());
        }
        if (depth == maxDepth) {
            throw error("nesting deeper than " + maxDepth + " levels");
        }
        pos++;
        depth++;
        first[depth] = true;
    }

    private boolean hasNext(char close) {
        skipWhitespace();
        if (peekChar() == close) {
            pos++;
            depth--;
            return false;
        }
        if (!first[depth]) {
            expect(',', "',' or '" + close + "'");
            skipWhitespace();
            if (peekChar() == close) {
                throw error("trailing comma before '" + close + "'");
            }
        }
        first[depth] = false;
        return true;
    }

    private void readEscape(StringBuilder out) {
        if (pos >= text.length()) {
            throw error("unterminated escape");
        }
        char c = text.charAt(pos++);
        switch (c) {
            case '"', '\\', '/' -> out.append(c);
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case 'u' -> {
                char unit = readHex4();
                if (Character.isHighSurrogate(unit)) {
                    // A high surrogate is only meaningful as the first half of a \\uXXXX pair.
                    if (!text.startsWith("\\u", pos)) {
                        throw error("unpaired surrogate escape");
                    }
                    pos += 2;
                    char low = readHex4();
                    if (!Character.isLowSurrogate(low)) {
                        throw error("unpaired surrogate escape");
                    }
                    out.append(unit).append(low);
                } else if (Character.isLowSurrogate(unit)) {
                    throw error("unpaired surrogate escape");
                } else {
                    out.append(unit);
                }
            }
            default -> {
                pos--;
                throw error("invalid escape \\" + describe(c));
            }
        }
    }

    private char readHex4() {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = pos < text.length() ? hexValue(text.charAt(pos)) : -1;
            if (digit < 0) {
                throw error("expected four hex digits after \\u");
            }
            value = value * 16 + digit;
            pos++;
        }
        return (char) value;
    }

    /** ASCII hex only: Character.digit would also accept full-width and other Unicode digits. */
    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private void expect(char c, String what) {
        if (peekChar() != c) {
            throw error("expected " + what + " but found " + found());
        }
        pos++;
    }

    private void requireDigits(String what) {
        if (!isDigit(peekChar())) {
            throw error("expected " + what + " but found " + found());
        }
        skipDigits();
    }

    private void skipDigits() {
        while (isDigit(peekChar())) {
            pos++;
        }
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    /** The next character, or -1 at the end of the input. */
    private int peekChar() {
        return pos < text.length() ? text.charAt(pos) : -1;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private String found() {
        return pos >= text.length() ? "end of input" : describe(text.charAt(pos));
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("character U+%04X", (int) c);
    }
}
