package dev.vstream.api.frame;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The binary value format of {@code vstream.frames}, schema version 1. All integers big-endian:
 *
 * <pre>
 * offset  size  field
 * 0       4     magic "VSFR" (0x56 0x53 0x46 0x52)
 * 4       1     schema version (1)
 * 5       1     encoding (1 = JPEG)
 * 6       2     stream id length L (1..128)
 * 8       L     stream id, UTF-8, equal to the record key
 * 8+L     8     sequence number (>= 0)
 * 16+L    8     presentation time in microseconds (>= 0)
 * 24+L    4     width in pixels
 * 28+L    4     height in pixels
 * 32+L    4     payload length N
 * 36+L    N     payload (a complete JPEG whose frame header matches width x height)
 * </pre>
 *
 * Decoding is strict: any deviation, trailing bytes included, is a {@link MalformedRecordException}
 * whose message is the reason shown in the dead-letter topic.
 */
public final class FrameRecordCodec {
    public static final byte[] MAGIC = {'V', 'S', 'F', 'R'};
    public static final byte SCHEMA_VERSION = 1;
    static final int FIXED_HEADER_BYTES = 4 + 1 + 1 + 2 + 8 + 8 + 4 + 4 + 4;

    private FrameRecordCodec() {
    }

    public static byte[] encode(FrameRecord frame) {
        byte[] id = frame.streamId().getBytes(StandardCharsets.UTF_8);
        byte[] payload = frame.payload();
        ByteBuffer out = ByteBuffer.allocate(FIXED_HEADER_BYTES + id.length + payload.length);
        out.put(MAGIC).put(SCHEMA_VERSION).put(frame.encoding().code()).putShort((short) id.length).put(id)
                .putLong(frame.sequence()).putLong(frame.ptsMicros()).putInt(frame.width()).putInt(frame.height())
                .putInt(payload.length).put(payload);
        return out.array();
    }

    /**
     * @param key the record key, which must equal the stream id inside the value (null when the producer sent none)
     */
    public static FrameRecord decode(String key, byte[] value) throws MalformedRecordException {
        FrameRecord frame = decode(value);
        if (key == null || !key.equals(frame.streamId())) {
            throw new MalformedRecordException("record key '" + key + "' differs from stream id '" + frame.streamId() + "'");
        }
        return frame;
    }

    /** Decodes a value on its own, for readers that have no key to check it against. */
    public static FrameRecord decode(byte[] value) throws MalformedRecordException {
        if (value == null) {
            throw new MalformedRecordException("record has no value");
        }
        if (value.length < FIXED_HEADER_BYTES + 1) {
            throw new MalformedRecordException("record of " + value.length + " bytes is shorter than the frame header");
        }
        ByteBuffer in = ByteBuffer.wrap(value);
        try {
            for (byte m : MAGIC) {
                if (in.get() != m) {
                    throw new MalformedRecordException("bad magic: not a vstream frame record");
                }
            }
            byte version = in.get();
            if (version != SCHEMA_VERSION) {
                throw new MalformedRecordException("unsupported schema version " + (version & 0xff) + " (this reader knows " + SCHEMA_VERSION + ")");
            }
            FrameEncoding encoding = FrameEncoding.ofCode(in.get());
            int idLength = in.getShort() & 0xffff;
            if (idLength == 0 || idLength > StreamId.MAX_LENGTH) {
                throw new MalformedRecordException("stream id length " + idLength + " outside 1.." + StreamId.MAX_LENGTH);
            }
            byte[] idBytes = new byte[idLength];
            in.get(idBytes);
            String streamId = decodeUtf8(idBytes);
            if (!StreamId.isValid(streamId)) {
                throw new MalformedRecordException("invalid stream id '" + streamId + "'");
            }
            long sequence = in.getLong();
            long pts = in.getLong();
            int width = in.getInt();
            int height = in.getInt();
            int length = in.getInt();
            if (length < 0 || length != in.remaining()) {
                throw new MalformedRecordException("payload length " + length + " but " + in.remaining() + " bytes follow");
            }
            byte[] payload = new byte[length];
            in.get(payload);
            if (encoding == FrameEncoding.JPEG) {
                JpegHeader jpeg = JpegHeader.parse(payload);
                if (jpeg.width() != width || jpeg.height() != height) {
                    throw new MalformedRecordException("declared size " + width + "x" + height + " but the JPEG is "
                            + jpeg.width() + "x" + jpeg.height());
                }
            }
            try {
                return new FrameRecord(streamId, sequence, pts, width, height, encoding, payload);
            } catch (IllegalArgumentException e) {
                throw new MalformedRecordException(e.getMessage());
            }
        } catch (BufferUnderflowException e) {
            throw new MalformedRecordException("record ends inside the frame header");
        }
    }

    private static String decodeUtf8(byte[] bytes) throws MalformedRecordException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedRecordException("stream id is not valid UTF-8");
        }
    }
}
