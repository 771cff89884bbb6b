package dev.vstream.context.wire;

import java.util.Optional;

/**
 * The HTTP entity tag of a served context, {@code "v<memory version>-<newest frame epoch ms>"}: a memory version
 * alone is not enough, versions restart at 1 when a stream's memory begins again.
 */
public record ContextTag(long memoryVersion, long newestWallClockMs) {

    /** The quoted ETag value. */
    public String etag() {
        return "\"v" + memoryVersion + "-" + newestWallClockMs + "\"";
    }

    /** The tag of an ETag value (weak or strong), if it is one of ours. */
    public static Optional<ContextTag> parse(String etag) {
        String s = etag.strip();
        if (s.startsWith("W/")) {
            s = s.substring(2);
        }
        if (!s.startsWith("\"v") || !s.endsWith("\"") || s.length() < 4) {
            return Optional.empty();
        }
        String body = s.substring(2, s.length() - 1);
        if (!body.matches("[0-9]{1,19}-[0-9]{1,19}")) {
            return Optional.empty();
        }
        int dash = body.indexOf('-');
        try {
            return Optional.of(new ContextTag(Long.parseLong(body.substring(0, dash)),
                    Long.parseLong(body.substring(dash + 1))));
        } catch (NumberFormatException e) {
            return Optional.empty(); // beyond a long
        }
    }
}
