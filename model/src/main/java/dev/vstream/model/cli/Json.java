package dev.vstream.model.cli;

/**
 * The few JSON writing helpers the CLI needs. Floats are written with {@link Float#toString},
 * the shortest decimal that reads back to the same float, so another implementation can compare
 * bit for bit; a non-finite value has no JSON form and is reported as an error (it is a bug
 * upstream, not something to print).
 */
final class Json {

    private Json() {
    }

    static StringBuilder string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    static StringBuilder number(StringBuilder out, float value, String what) {
        if (!Float.isFinite(value)) {
            throw new IllegalStateException("non-finite " + what + ": " + value);
        }
        return out.append(value);
    }

    static StringBuilder ints(StringBuilder out, int[] values) {
        out.append('[');
        for (int i = 0; i < values.length; i++) {
            out.append(i == 0 ? "" : ", ").append(values[i]);
        }
        return out.append(']');
    }

    /** {@code values[from, from + count)} as a JSON array. */
    static StringBuilder floats(StringBuilder out, float[] values, int from, int count, String what) {
        out.append('[');
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(", ");
            }
            number(out, values[from + i], what);
        }
        return out.append(']');
    }
}
