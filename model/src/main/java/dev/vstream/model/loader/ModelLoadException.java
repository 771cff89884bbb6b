package dev.vstream.model.loader;

/**
 * A checkpoint could not be loaded: a missing or unreadable file, a malformed safetensors header
 * or config.json, a missing tensor, an unsupported dtype. The message always names the file (or
 * folder) and, where one is involved, the tensor or config key, because the user's only remedy
 * is to fix or replace that file.
 *
 * <p>Unchecked: loading happens once at start-up, where the only sensible handling is to report
 * and stop, so checked exceptions would only add ceremony to every layer constructor.
 */
public class ModelLoadException extends RuntimeException {

    private static final int MAX_QUOTED_LENGTH = 200;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Quotes a name taken from a file for use in a message: control characters escaped and long
     * names cut, so a hostile header cannot forge log lines or blow up the message.
     */
    static String quote(String name) {
        StringBuilder out = new StringBuilder(Math.min(name.length(), MAX_QUOTED_LENGTH) + 8).append('\'');
        int end = Math.min(name.length(), MAX_QUOTED_LENGTH);
        for (int i = 0; i < end; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7F || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (name.length() > MAX_QUOTED_LENGTH) {
            out.append("...(").append(name.length()).append(" chars)");
        }
        return out.append('\'').toString();
    }
}
