package dev.vstream.context.wire;

import dev.vstream.api.frame.StreamId;
import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.ContextStateCodec;
import dev.vstream.model.lm.ContextStateFormatException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Wire format of a {@link PrefilledContext}, how the memory service hands context states to QA instances
 * ({@value #MEDIA_TYPE}). Version {@value #VERSION}, little-endian:
 * <pre>
 *   magic "VSPC" (4 bytes ASCII)      u16 version = 1
 *   stream id             u16 length + UTF-8
 *   memory version        i64 (>= 1)
 *   newest frame pts      i64 (microseconds)
 *   newest frame time     i64 (epoch ms, Kafka time)
 *   prompt layout version i32
 *   model id              u16 length + UTF-8
 *   prefix tokens         i32 (>= 1)       memory tokens  i32 (0 .. prefix tokens)
 *   sparse                u8 (0 or 1)      density        f64 > 0 (block work relative to dense)
 *   prefill time          f64 (ms)
 *   state length          i32, then the state: a ContextStateCodec (VSCS) record, with its own checksum
 *   CRC-32C               u32 of every byte before it
 * </pre>
 * Decoding is strict: anything else (a wrong magic or version, a bad checksum, truncation, trailing bytes, a
 * state whose position differs from the prefix tokens) is a {@link MalformedContextException}.
 */
public final class PrefilledContextCodec {
    public static final String MEDIA_TYPE = "application/vnd.vstream.context-state";
    public static final int VERSION = 1;
    private static final byte[] MAGIC = {'V', 'S', 'P', 'C'};
    private static final int CRC_BYTES = 4;

    private PrefilledContextCodec() {
    }

    public static byte[] encode(PrefilledContext context) {
        byte[] stream = context.streamId().getBytes(StandardCharsets.UTF_8);
        byte[] model = context.modelId().getBytes(StandardCharsets.UTF_8);
        if (model.length > 0xFFFF) {
            throw new IllegalArgumentException("model id of " + model.length + " bytes");
        }
        byte[] state = ContextStateCodec.encode(context.state());
        int size = Math.addExact(MAGIC.length + 2 + 2 + stream.length + 8 * 3 + 4 + 2 + model.length + 4 + 4 + 1 + 8 + 8
                + 4 + CRC_BYTES, state.length);
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putShort((short) VERSION);
        out.putShort((short) stream.length).put(stream);
        out.putLong(context.memoryVersion()).putLong(context.newestPtsMicros()).putLong(context.newestWallClockMs());
        out.putInt(context.promptLayoutVersion());
        out.putShort((short) model.length).put(model);
        out.putInt(context.prefixTokens()).putInt(context.memoryTokens());
        out.put((byte) (context.sparse() ? 1 : 0)).putDouble(context.density()).putDouble(context.prefillMillis());
        out.putInt(state.length).put(state);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    public static PrefilledContext decode(byte[] bytes) {
        if (bytes.length < MAGIC.length + 2 + CRC_BYTES) {
            throw new MalformedContextException("context record of " + bytes.length + " bytes is too short");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (in.get() != MAGIC[i]) {
                throw new MalformedContextException("not a context record (magic is not VSPC)");
            }
        }
        int version = Short.toUnsignedInt(in.getShort());
        if (version != VERSION) {
            throw new MalformedContextException("context record version " + version + ", this build reads " + VERSION);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - CRC_BYTES);
        int stored = ByteBuffer.wrap(bytes, bytes.length - CRC_BYTES, CRC_BYTES).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (stored != (int) crc.getValue()) {
            throw new MalformedContextException("context record checksum mismatch (corrupt or truncated)");
        }
        ByteBuffer body = in.slice(in.position(), bytes.length - CRC_BYTES - in.position()).order(ByteOrder.LITTLE_ENDIAN);
        try {
            String streamId = string(body, "stream id");
            if (!StreamId.isValid(streamId)) {
                throw new MalformedContextException("invalid stream id in context record");
            }
            long memoryVersion = body.getLong();
            long pts = body.getLong();
            long wallClock = body.getLong();
            int layout = body.getInt();
            String modelId = string(body, "model id");
            int prefixTokens = body.getInt();
            int memoryTokens = body.getInt();
            int sparse = Byte.toUnsignedInt(body.get());
            if (sparse > 1) {
                throw new MalformedContextException("sparse flag " + sparse + " is neither 0 nor 1");
            }
            double density = body.getDouble();
            double millis = body.getDouble();
            int stateLength = body.getInt();
            if (stateLength < 0 || stateLength != body.remaining()) {
                throw new MalformedContextException("state of " + stateLength + " bytes where " + body.remaining()
                        + " remain");
            }
            byte[] stateBytes = new byte[stateLength];
            body.get(stateBytes);
            ContextState.Snapshot state = ContextStateCodec.decode(stateBytes);
            return new PrefilledContext(streamId, memoryVersion, pts, wallClock, layout, modelId, prefixTokens,
                    memoryTokens, sparse == 1, density, millis, state);
        } catch (BufferUnderflowException e) {
            throw new MalformedContextException("context record truncated");
        } catch (ContextStateFormatException e) {
            throw new MalformedContextException("context state: " + e.getMessage(), e);
        } catch (MalformedContextException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new MalformedContextException("inconsistent context record: " + e.getMessage(), e);
        }
    }

    private static String string(ByteBuffer in, String what) {
        int length = Short.toUnsignedInt(in.getShort());
        if (length > in.remaining()) {
            throw new MalformedContextException(what + " of " + length + " bytes where " + in.remaining() + " remain");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(in.slice(in.position(), length)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedContextException(what + " is not UTF-8");
        } finally {
            in.position(in.position() + length);
        }
    }
}
