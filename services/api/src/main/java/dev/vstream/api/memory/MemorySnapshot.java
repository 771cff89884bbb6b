package dev.vstream.api.memory;

import dev.vstream.api.frame.StreamId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A stream's memory after its newest frame: the value of the compacted topic {@code vstream.memory}, keyed by
 * stream id, wire format {@link MemorySnapshotCodec}. Arrays are copied in and out, so an instance never changes.
 *
 * @param streamId          the stream, equal to the record key
 * @param version           frames taken into the memory since the stream's memory began (1 after the first)
 * @param newestPtsMicros   presentation time of the newest frame taken in
 * @param newestWallClockMs Kafka timestamp (epoch millis) of the newest frame taken in
 * @param encoderName       the vision encoder: the checkpoint folder's name (1..255 UTF-8 bytes)
 * @param encoderConfigSha256 SHA-256 of the encoder's config.json, 64 lower-case hex digits
 * @param projected         whether the tokens went through the multimodal projector (LM width) or are the
 *                          encoder's pre-projection patch features (encoder width)
 * @param tokenType         how the values travel; {@link #values} holds exactly what reads back
 * @param channels          values per token
 * @param kinds             (tokens) the memory part of each token, in the order the language model reads them
 * @param slots             (tokens) the slot of each token within its part (a temporal cluster, a spatial frame, ...)
 * @param timestampsMicros  (tokens) presentation time the token stands for (a cluster's weighted mean time)
 * @param values            (tokens, channels) row-major, finite (in the token type: F16 overflows past 65504)
 */
public record MemorySnapshot(String streamId, long version, long newestPtsMicros, long newestWallClockMs,
                             String encoderName, String encoderConfigSha256, boolean projected, TokenType tokenType,
                             int channels, SlotKind[] kinds, int[] slots, long[] timestampsMicros, float[] values) {

    /** Most tokens a snapshot may hold. */
    public static final int MAX_TOKENS = 1 << 20;
    /** Most bytes the token values may take on the wire (the topic's limit, less room for the header). */
    public static final long MAX_VALUE_BYTES = 60L * 1024 * 1024;

    public MemorySnapshot {
        if (!StreamId.isValid(streamId)) {
            throw new IllegalArgumentException("invalid stream id '" + streamId + "'");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        if (newestPtsMicros < 0 || newestWallClockMs < 0) {
            throw new IllegalArgumentException("newest frame times must be >= 0, got pts " + newestPtsMicros
                    + " us, wall clock " + newestWallClockMs + " ms");
        }
        Objects.requireNonNull(encoderName, "encoderName");
        int nameBytes = encoderName.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes < 1 || nameBytes > 255) {
            throw new IllegalArgumentException("encoder name must be 1..255 UTF-8 bytes, got " + nameBytes);
        }
        if (encoderConfigSha256 == null || !encoderConfigSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("encoder config hash must be 64 lower-case hex digits, got "
                    + encoderConfigSha256);
        }
        Objects.requireNonNull(tokenType, "tokenType");
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        int tokens = Objects.requireNonNull(kinds, "kinds").length;
        if (tokens > MAX_TOKENS) {
            throw new IllegalArgumentException(tokens + " tokens, at most " + MAX_TOKENS);
        }
        if (Objects.requireNonNull(slots, "slots").length != tokens
                || Objects.requireNonNull(timestampsMicros, "timestampsMicros").length != tokens) {
            throw new IllegalArgumentException("kinds, slots and timestamps must have one entry per token");
        }
        if ((long) tokens * channels * tokenType.bytes() > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException(tokens + " x " + channels + " " + tokenType + " values exceed "
                    + MAX_VALUE_BYTES + " bytes");
        }
        if (Objects.requireNonNull(values, "values").length != (long) tokens * channels) {
            throw new IllegalArgumentException("values must be tokens x channels = " + tokens + " x " + channels
                    + ", got " + values.length);
        }
        for (int t = 0; t < tokens; t++) {
            Objects.requireNonNull(kinds[t], "kinds[" + t + "]");
            if (slots[t] < 0) {
                throw new IllegalArgumentException("slot of token " + t + " is negative: " + slots[t]);
            }
        }
        kinds = kinds.clone();
        slots = slots.clone();
        timestampsMicros = timestampsMicros.clone();
        float[] typed = new float[values.length];
        for (int i = 0; i < typed.length; i++) {
            typed[i] = tokenType.roundTrip(values[i]);
            if (!Float.isFinite(typed[i])) {
                throw new IllegalArgumentException("non-finite value " + typed[i] + " at token " + i / channels
                        + ", channel " + i % channels);
            }
        }
        values = typed;
    }

    /** The hash as 32 bytes. */
    static byte[] hashBytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    public int tokens() {
        return kinds.length;
    }

    @Override
    public SlotKind[] kinds() {
        return kinds.clone();
    }

    @Override
    public int[] slots() {
        return slots.clone();
    }

    @Override
    public long[] timestampsMicros() {
        return timestampsMicros.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    /** Tokens of one kind. */
    public int count(SlotKind kind) {
        int n = 0;
        for (SlotKind k : kinds) {
            n += k == kind ? 1 : 0;
        }
        return n;
    }

    /** Values of one token (a copy). */
    public float[] token(int t) {
        return Arrays.copyOfRange(values, t * channels, (t + 1) * channels);
    }

    // Package access to the arrays without copies, for the codec.
    SlotKind kindAt(int t) {
        return kinds[t];
    }

    int slotAt(int t) {
        return slots[t];
    }

    long timestampAt(int t) {
        return timestampsMicros[t];
    }

    float valueAt(int i) {
        return values[i];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MemorySnapshot o && version == o.version && newestPtsMicros == o.newestPtsMicros
                && newestWallClockMs == o.newestWallClockMs && projected == o.projected && channels == o.channels
                && streamId.equals(o.streamId) && encoderName.equals(o.encoderName)
                && encoderConfigSha256.equals(o.encoderConfigSha256) && tokenType == o.tokenType
                && Arrays.equals(kinds, o.kinds) && Arrays.equals(slots, o.slots)
                && Arrays.equals(timestampsMicros, o.timestampsMicros) && Arrays.equals(values, o.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamId, version, newestPtsMicros, encoderConfigSha256, Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        return "MemorySnapshot[" + streamId + " v" + version + ", pts " + newestPtsMicros + " us, " + tokens()
                + " x " + channels + " " + tokenType + (projected ? " projected" : " pre-projection") + ", encoder "
                + encoderName + " " + encoderConfigSha256.substring(0, 12) + "]";
    }
}
