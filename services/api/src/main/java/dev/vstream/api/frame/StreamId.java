package dev.vstream.api.frame;

import java.util.regex.Pattern;

/** Stream ids are Kafka keys, URL path segments and metric tags at once, so they are kept to a safe alphabet. */
public final class StreamId {
    public static final int MAX_LENGTH = 128;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_LENGTH - 1) + "}");

    private StreamId() {
    }

    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** @throws IllegalArgumentException naming the rule the id breaks */
    public static String require(String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException("stream id must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}, got "
                    + (id == null ? "null" : "'" + abbreviate(id) + "'"));
        }
        return id;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
