package dev.vstream.api.memory;

import dev.vstream.api.frame.MalformedRecordException;
import dev.vstream.api.frame.StreamId;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The binary value format of {@code vstream.memory}, schema version 1. All integers big-endian:
 *
 * <pre>
 * offset  size  field
 * 0       4     magic "VSMS" (0x56 0x53 0x4D 0x53)
 * 4       1     schema version (1)
 * 5       1     token type (1 = F32, 2 = F16; IEEE 754, big-endian)
 * 6       1     flags: bit 0 = projected (tokens went through the projector), other bits 0
 * 7       1     reserved, 0
 * 8       2     stream id length L (1..128)
 * 10      L     stream id, UTF-8, equal to the record key
 * 10+L    8     version: frames taken into the memory (>= 1)
 * 18+L    8     presentation time of the newest frame, microseconds (>= 0)
 * 26+L    8     Kafka timestamp of the newest frame, epoch milliseconds (>= 0)
 * 34+L    1     encoder name length E (1..255)
 * 35+L    E     encoder name, UTF-8 (the checkpoint folder's name)
 * 35+L+E  32    SHA-256 of the encoder's config.json
 * 67+L+E  4     token count T (0..2^20)
 * 71+L+E  4     channels C (>= 1)
 * 75+L+E  13T   per token: slot kind code (1 byte, {@link SlotKind}), slot (4, >= 0), timestamp in microseconds (8)
 * ...     T*C*s values, token-major, s = 4 (F32) or 2 (F16)
 * end-4   4     CRC-32C (Castagnoli) of every byte before it
 * </pre>
 *
 * Decoding is strict: the checksum is verified first, then any deviation, trailing bytes included, is a
 * {@link MalformedRecordException} whose message says what is wrong. A tombstone (null value) is a deleted
 * stream, not a snapshot: callers handle it before decoding.
 */
public final class MemorySnapshotCodec {
    public static final byte[] MAGIC = {'V', 'S', 'M', 'S'};
    public static final byte SCHEMA_VERSION = 1;
    static final int FIXED_BYTES = 4 + 1 + 1 + 1 + 1 + 2 + 8 + 8 + 8 + 1 + 32 + 4 + 4 + 4;
    static final int TOKEN_HEADER_BYTES = 1 + 4 + 8;
    private static final int PROJECTED = 1;

    private MemorySnapshotCodec() {
    }

    public static byte[] encode(MemorySnapshot snapshot) {
        byte[] id = snapshot.streamId().getBytes(StandardCharsets.UTF_8);
        byte[] name = snapshot.encoderName().getBytes(StandardCharsets.UTF_8);
        int tokens = snapshot.tokens();
        int channels = snapshot.channels();
        TokenType type = snapshot.tokenType();
        long size = FIXED_BYTES + id.length + name.length + (long) tokens * TOKEN_HEADER_BYTES
                + (long) tokens * channels * type.bytes();
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size));
        out.put(MAGIC).put(SCHEMA_VERSION).put(type.code()).put((byte) (snapshot.projected() ? PROJECTED : 0))
                .put((byte) 0).putShort((short) id.length).put(id).putLong(snapshot.version())
                .putLong(snapshot.newestPtsMicros()).putLong(snapshot.newestWallClockMs()).put((byte) name.length)
                .put(name).put(MemorySnapshot.hashBytes(snapshot.encoderConfigSha256())).putInt(tokens).putInt(channels);
        for (int t = 0; t < tokens; t++) {
            out.put(snapshot.kindAt(t).code()).putInt(snapshot.slotAt(t)).putLong(snapshot.timestampAt(t));
        }
        int values = tokens * channels;
        if (type == TokenType.F32) {
            for (int i = 0; i < values; i++) {
                out.putFloat(snapshot.valueAt(i));
            }
        } else {
            for (int i = 0; i < values; i++) {
                out.putShort(Float.floatToFloat16(snapshot.valueAt(i)));
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /** @param key the record key, which must equal the stream id inside the value */
    public static MemorySnapshot decode(String key, byte[] value) throws MalformedRecordException {
        MemorySnapshot snapshot = decode(value);
        if (key == null || !key.equals(snapshot.streamId())) {
            throw new MalformedRecordException("record key '" + key + "' differs from stream id '"
                    + snapshot.streamId() + "'");
        }
        return snapshot;
    }

    public static MemorySnapshot decode(byte[] value) throws MalformedRecordException {
        if (value == null) {
            throw new MalformedRecordException("record has no value (a tombstone is not a snapshot)");
        }
        if (value.length < FIXED_BYTES + 2) {
            throw new MalformedRecordException("record of " + value.length + " bytes is shorter than the snapshot header");
        }
        ByteBuffer in = ByteBuffer.wrap(value);
        for (byte m : MAGIC) {
            if (in.get() != m) {
                throw new MalformedRecordException("bad magic: not a vstream memory snapshot");
            }
        }
        byte version = in.get();
        if (version != SCHEMA_VERSION) {
            throw new MalformedRecordException("unsupported schema version " + (version & 0xff) + " (this reader knows "
                    + SCHEMA_VERSION + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(value, 0, value.length - 4);
        int stored = ByteBuffer.wrap(value, value.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new MalformedRecordException(String.format("checksum mismatch: CRC-32C %08x stored, %08x computed",
                    stored, (int) crc.getValue()));
        }
        ByteBuffer body = ByteBuffer.wrap(value, 0, value.length - 4);
        body.position(5);
        try {
            return decodeBody(body);
        } catch (BufferUnderflowException e) {
            throw new MalformedRecordException("record ends inside the snapshot");
        }
    }

    private static MemorySnapshot decodeBody(ByteBuffer in) throws MalformedRecordException {
        TokenType type = TokenType.ofCode(in.get());
        byte flags = in.get();
        if ((flags & ~PROJECTED) != 0) {
            throw new MalformedRecordException("unknown flags " + Integer.toBinaryString(flags & 0xff));
        }
        if (in.get() != 0) {
            throw new MalformedRecordException("reserved byte is not 0");
        }
        int idLength = in.getShort() & 0xffff;
        if (idLength == 0 || idLength > StreamId.MAX_LENGTH) {
            throw new MalformedRecordException("stream id length " + idLength + " outside 1.." + StreamId.MAX_LENGTH);
        }
        String streamId = utf8(in, idLength, "stream id");
        long version = in.getLong();
        long pts = in.getLong();
        long wallClock = in.getLong();
        int nameLength = in.get() & 0xff;
        if (nameLength == 0) {
            throw new MalformedRecordException("encoder name is empty");
        }
        String name = utf8(in, nameLength, "encoder name");
        byte[] hash = new byte[32];
        in.get(hash);
        int tokens = in.getInt();
        int channels = in.getInt();
        if (tokens < 0 || tokens > MemorySnapshot.MAX_TOKENS) {
            throw new MalformedRecordException("token count " + tokens + " outside 0.." + MemorySnapshot.MAX_TOKENS);
        }
        if (channels < 1) {
            throw new MalformedRecordException("channels " + channels + " must be >= 1");
        }
        long expected = (long) tokens * TOKEN_HEADER_BYTES + (long) tokens * channels * type.bytes();
        if (expected != in.remaining()) {
            throw new MalformedRecordException(tokens + " tokens x " + channels + " channels of " + type + " need "
                    + expected + " bytes but " + in.remaining() + " follow");
        }
        SlotKind[] kinds = new SlotKind[tokens];
        int[] slots = new int[tokens];
        long[] times = new long[tokens];
        for (int t = 0; t < tokens; t++) {
            kinds[t] = SlotKind.ofCode(in.get());
            slots[t] = in.getInt();
            times[t] = in.getLong();
        }
        float[] values = new float[tokens * channels];
        for (int i = 0; i < values.length; i++) {
            values[i] = type == TokenType.F32 ? in.getFloat() : Float.float16ToFloat(in.getShort());
        }
        try {
            return new MemorySnapshot(streamId, version, pts, wallClock, name, HexFormat.of().formatHex(hash),
                    (in.get(6) & PROJECTED) != 0, type, channels, kinds, slots, times, values);
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException(e.getMessage());
        }
    }

    private static String utf8(ByteBuffer in, int length, String what) throws MalformedRecordException {
        byte[] bytes = new byte[length];
        in.get(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedRecordException(what + " is not valid UTF-8");
        }
    }
}
