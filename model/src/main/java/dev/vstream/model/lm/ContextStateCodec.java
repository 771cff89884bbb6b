package dev.vstream.model.lm;

import dev.vstream.kernels.attention.KvRows;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The binary wire format of a frozen {@link ContextState.Snapshot}: "VSCS" version 1, so a
 * context can be stored or shipped between processes and resumed bit-exactly.
 *
 * <h2>Format, version 1</h2>
 *
 * All integers are <b>little-endian</b>; {@code u8}/{@code u16}/{@code u32} are unsigned,
 * {@code i32} signed two's complement. Floats are IEEE 754 binary32, written as their raw bits
 * ({@link Float#floatToRawIntBits}) in little-endian order, so every value, NaN payloads
 * included, round-trips exactly. Offsets below are from the start of the encoding.
 *
 * <pre>
 * offset  size  field
 * 0       4     magic: the ASCII bytes 'V' 'S' 'C' 'S' (0x56 0x53 0x43 0x53)
 * 4       2     u16 version = 1
 * 6       2     u16 L: byte length of the layout string
 * 8       L     layout: the snapshot's {@link ContextState.Snapshot#layout() layout}, UTF-8 (well-formed,
 *               no byte order mark added or stripped)
 * 8+L     4     i32 position: tokens seen, &gt;= 0
 * 12+L    4     i32 S: number of cache slots, 0 &lt;= S &lt;= {@value #MAX_SLOTS}
 * 16+L    ...   S slots, in slot order, each:
 *                 u8 kind, then the kind's dimensions (i32 each), then its float32 payload:
 *
 *   kind  cache                  dimensions (in this order)          payload (float32 count)
 *   1     {@link KvCache}                kvDim &gt; 0, length &gt;= 0             keys   (length * kvDim), position major,
 *                                                                    then values (length * kvDim)
 *   2     {@link SlidingWindowKvCache}   window &gt; 0, kvDim &gt; 0,             keys   (window * kvDim), the whole ring
 *                                length &gt;= 0 (positions seen)         (slot = position mod window),
 *                                                                    then values (window * kvDim)
 *   3     {@link ConvState}              width &gt; 0, channels &gt; 0           inputs (width * channels), oldest first
 *   4     {@link SsmState}               rows &gt; 0, stateSize &gt; 0           state  (rows * stateSize)
 *   5     {@link DeltaRuleState}         heads &gt; 0, keyDim &gt; 0,            state  (heads * keyDim * valueDim)
 *                                valueDim &gt; 0
 *   6     {@link KvCache}, bf16          kvDim &gt; 0, length &gt;= 0             as kind 1, each entry a u16: the
 *                                                                    bfloat16 bit pattern (the top half of
 *                                                                    the binary32), keys then values
 *
 * N-4     4     u32 CRC-32C ({@link CRC32C}, Castagnoli) of bytes [0, N-4), where N is the total length
 * </pre>
 *
 * The smallest encoding (empty layout, no slots) is {@value #MIN_SIZE} bytes;
 * {@link #encodedSize} gives the exact length of any snapshot's encoding.
 *
 * <h2>Decoding</h2>
 *
 * {@link #decode} is strict and throws only {@link ContextStateFormatException} for bad input
 * (never another exception, never an {@link OutOfMemoryError} from a forged size): it first
 * checks the length (at least {@value #MIN_SIZE} bytes) and the CRC, before reading any field;
 * then the magic, the version, the layout (malformed UTF-8 is refused), the position, the slot
 * count, and per slot the kind and dimensions, whose float count must fit in the bytes left
 * before the CRC before any array is allocated; bytes left over after the last slot are refused.
 * Versions other than 1 are refused (a future version must change the number). Kind 6 was added
 * to version 1 without changing any other kind: a decoder that predates it refuses such a slot
 * as an unknown kind. A KV cache is written as kind 6 exactly when it is frozen in bf16
 * ({@link ContextState#snapshot(KvPrecision)}), else as kind 1.
 */
public final class ContextStateCodec {

    /** The format version this class writes and reads. */
    public static final int VERSION = 1;
    /** The most cache slots a snapshot may have. */
    public static final int MAX_SLOTS = 1 << 16;
    /** Bytes of the smallest encoding: fixed header with an empty layout, no slots, CRC. */
    public static final int MIN_SIZE = 4 + 2 + 2 + 4 + 4 + 4;

    static final int KIND_KV_CACHE = 1;
    static final int KIND_SLIDING_WINDOW = 2;
    static final int KIND_CONV = 3;
    static final int KIND_SSM = 4;
    static final int KIND_DELTA_RULE = 5;
    static final int KIND_KV_CACHE_BF16 = 6;

    private static final byte[] MAGIC = {'V', 'S', 'C', 'S'};
    private static final int CRC_BYTES = 4;
    private static final int MAX_LAYOUT_BYTES = 0xFFFF;
    /** The largest Java byte array that is safe to allocate everywhere. */
    private static final long MAX_ENCODED_SIZE = Integer.MAX_VALUE - 8;
    /** A slot's smallest size: kind byte and two dimensions. */
    private static final int MIN_SLOT_SIZE = 1 + 4 + 4;

    private ContextStateCodec() {
    }

    /**
     * The exact length of {@link #encode}'s result for {@code snapshot} (for a Content-Length,
     * or to refuse an oversized state before encoding it).
     *
     * @throws IllegalArgumentException when the snapshot cannot be encoded (layout longer than
     *                                  65535 UTF-8 bytes or not encodable, more than
     *                                  {@value #MAX_SLOTS} slots)
     */
    public static long encodedSize(ContextState.Snapshot snapshot) {
        return encodedSize(layoutBytes(snapshot.layout()), snapshot.caches());
    }

    private static long encodedSize(byte[] layout, List<LayerCache> caches) {
        if (caches.size() > MAX_SLOTS) {
            throw new IllegalArgumentException("a snapshot of " + caches.size() + " slots exceeds the format's "
                    + MAX_SLOTS);
        }
        long size = MIN_SIZE + layout.length;
        for (LayerCache cache : caches) {
            size += 1 + switch (cache) {
                case KvCache kv -> 2 * 4 + 2L * kv.length() * kv.kvDim() * (bf16(kv) ? Short.BYTES : Float.BYTES);
                case SlidingWindowKvCache ring -> 3 * 4 + 2L * ring.window() * ring.kvDim() * Float.BYTES;
                case ConvState conv -> 2 * 4 + (long) conv.width() * conv.channels() * Float.BYTES;
                case SsmState ssm -> 2 * 4 + (long) ssm.rows() * ssm.stateSize() * Float.BYTES;
                case DeltaRuleState delta -> 3 * 4 + (long) delta.heads() * delta.keyDim() * delta.valueDim() * Float.BYTES;
            };
        }
        return size;
    }

    /**
     * Encodes {@code snapshot} as described in the class documentation.
     *
     * @throws IllegalArgumentException when the snapshot cannot be encoded: layout longer than
     *                                  65535 UTF-8 bytes or not encodable (an unpaired surrogate),
     *                                  more than {@value #MAX_SLOTS} slots, or an encoding over
     *                                  2 GiB (one Java array)
     */
    public static byte[] encode(ContextState.Snapshot snapshot) {
        byte[] layout = layoutBytes(snapshot.layout());
        List<LayerCache> caches = snapshot.caches();
        long size = encodedSize(layout, caches);
        if (size > MAX_ENCODED_SIZE) {
            throw new IllegalArgumentException("the encoding of " + snapshot + " would take " + size
                    + " bytes, more than one byte array holds (" + MAX_ENCODED_SIZE + ")");
        }
        byte[] out = new byte[(int) size];
        ByteBuffer buf = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).putShort((short) VERSION).putShort((short) layout.length).put(layout);
        buf.putInt(snapshot.position()).putInt(caches.size());
        for (LayerCache cache : caches) {
            switch (cache) {
                case KvCache kv when bf16(kv) -> {
                    buf.put((byte) KIND_KV_CACHE_BF16).putInt(kv.kvDim()).putInt(kv.length());
                    KvRows.Bf16 rows = (KvRows.Bf16) kv.frozenRows();
                    int n = kv.length() * kv.kvDim();
                    putShorts(buf, rows.keys(), n);
                    putShorts(buf, rows.values(), n);
                }
                case KvCache kv -> {
                    buf.put((byte) KIND_KV_CACHE).putInt(kv.kvDim()).putInt(kv.length());
                    int n = kv.length() * kv.kvDim();
                    putFloats(buf, kv.keys(), n);
                    putFloats(buf, kv.values(), n);
                }
                case SlidingWindowKvCache ring -> {
                    buf.put((byte) KIND_SLIDING_WINDOW).putInt(ring.window()).putInt(ring.kvDim()).putInt(ring.length());
                    int n = ring.window() * ring.kvDim();
                    putFloats(buf, ring.keys(), n);
                    putFloats(buf, ring.values(), n);
                }
                case ConvState conv -> {
                    buf.put((byte) KIND_CONV).putInt(conv.width()).putInt(conv.channels());
                    putFloats(buf, conv.inputs(), conv.width() * conv.channels());
                }
                case SsmState ssm -> {
                    buf.put((byte) KIND_SSM).putInt(ssm.rows()).putInt(ssm.stateSize());
                    putFloats(buf, ssm.state(), ssm.rows() * ssm.stateSize());
                }
                case DeltaRuleState delta -> {
                    buf.put((byte) KIND_DELTA_RULE).putInt(delta.heads()).putInt(delta.keyDim()).putInt(delta.valueDim());
                    putFloats(buf, delta.state(), delta.heads() * delta.keyDim() * delta.valueDim());
                }
            }
        }
        int body = buf.position();
        if (body != out.length - CRC_BYTES) {
            throw new IllegalStateException("encoded " + body + " bytes before the CRC, expected "
                    + (out.length - CRC_BYTES));
        }
        buf.putInt((int) crc(out, body));
        return out;
    }

    /** Whether the cache is written as kind 6: all its positions frozen in bf16. */
    private static boolean bf16(KvCache kv) {
        return kv.frozenPrecision() == KvPrecision.BF16 && kv.frozenLength() == kv.length();
    }

    private static void putShorts(ByteBuffer buf, short[] source, int count) {
        buf.asShortBuffer().put(source, 0, count);
        buf.position(buf.position() + count * Short.BYTES);
    }

    private static void putFloats(ByteBuffer buf, float[] source, int count) {
        buf.asFloatBuffer().put(source, 0, count);
        buf.position(buf.position() + count * Float.BYTES);
    }

    private static byte[] layoutBytes(String layout) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer encoded;
        try {
            encoded = encoder.encode(CharBuffer.wrap(layout));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("layout '" + layout + "' is not encodable as UTF-8", e);
        }
        if (encoded.remaining() > MAX_LAYOUT_BYTES) {
            throw new IllegalArgumentException("layout of " + encoded.remaining() + " UTF-8 bytes exceeds the format's "
                    + MAX_LAYOUT_BYTES);
        }
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }

    private static long crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }

    /**
     * Decodes an encoding made by {@link #encode} into a new snapshot that shares nothing with
     * {@code bytes}.
     *
     * @throws ContextStateFormatException when {@code bytes} is not a valid version 1 encoding
     *                                     (see the class documentation); nothing else for any content
     * @throws NullPointerException        when {@code bytes} is null
     */
    public static ContextState.Snapshot decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < MIN_SIZE) {
            throw new ContextStateFormatException("truncated: " + bytes.length + " bytes, the smallest encoding has "
                    + MIN_SIZE, bytes.length);
        }
        int body = bytes.length - CRC_BYTES;
        int stored = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(body);
        int computed = (int) crc(bytes, body);
        if (stored != computed) {
            throw new ContextStateFormatException(String.format("CRC-32C mismatch: stored %08x, computed %08x over "
                    + "the %d bytes before it (corrupted or truncated)", stored, computed, body), body);
        }
        return new Reader(bytes, body).snapshot();
    }

    /** Reads the fields of a CRC-checked encoding, bytes {@code [0, body)}. */
    private static final class Reader {

        private final byte[] bytes;
        private final ByteBuffer buf;

        Reader(byte[] bytes, int body) {
            this.bytes = bytes;
            this.buf = ByteBuffer.wrap(bytes, 0, body).order(ByteOrder.LITTLE_ENDIAN);
        }

        ContextState.Snapshot snapshot() {
            require(MAGIC.length, "magic");
            for (int i = 0; i < MAGIC.length; i++) {
                if (bytes[i] != MAGIC[i]) {
                    throw new ContextStateFormatException(String.format("bad magic %02x %02x %02x %02x, expected "
                            + "'VSCS' (56 53 43 53)", bytes[0], bytes[1], bytes[2], bytes[3]), i);
                }
            }
            buf.position(MAGIC.length);
            int version = u16("version");
            if (version != VERSION) {
                throw new ContextStateFormatException("unsupported version " + version + ", this decoder reads version "
                        + VERSION, buf.position() - 2);
            }
            String layout = layout();
            int positionOffset = buf.position();
            int position = i32("position");
            if (position < 0) {
                throw new ContextStateFormatException("negative position " + position, positionOffset);
            }
            int slotsOffset = buf.position();
            int slots = i32("slot count");
            if (slots < 0 || slots > MAX_SLOTS) {
                throw new ContextStateFormatException("slot count " + slots + " outside 0 .. " + MAX_SLOTS, slotsOffset);
            }
            if ((long) slots * MIN_SLOT_SIZE > buf.remaining()) {
                throw new ContextStateFormatException("truncated: " + slots + " slots need at least "
                        + (long) slots * MIN_SLOT_SIZE + " bytes, only " + buf.remaining() + " left before the CRC",
                        slotsOffset);
            }
            List<LayerCache> caches = new ArrayList<>(slots);
            for (int slot = 0; slot < slots; slot++) {
                caches.add(slot(slot));
            }
            if (buf.hasRemaining()) {
                throw new ContextStateFormatException(buf.remaining() + " trailing bytes after the last slot",
                        buf.position());
            }
            return ContextState.Snapshot.of(layout, position, caches);
        }

        private String layout() {
            int length = u16("layout length");
            int start = buf.position();
            require(length, "layout");
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteBuffer in = ByteBuffer.wrap(bytes, start, length);
            CharBuffer out = CharBuffer.allocate(length);
            CoderResult result = decoder.decode(in, out, true);
            if (!result.isError()) {
                result = decoder.flush(out);
            }
            if (result.isError() || in.hasRemaining()) {
                throw new ContextStateFormatException("layout is not valid UTF-8 (" + result + ")", in.position());
            }
            buf.position(start + length);
            return out.flip().toString();
        }

        private LayerCache slot(int slot) {
            int kindOffset = buf.position();
            require(1, "kind of slot " + slot);
            int kind = buf.get() & 0xFF;
            String what = "slot " + slot;
            return switch (kind) {
                case KIND_KV_CACHE -> {
                    int kvDim = dimension(what + " kvDim");
                    int length = count(what + " length");
                    int n = floats(2, what + " keys and values", kvDim, length);
                    yield KvCache.of(kvDim, length, readFloats(n), readFloats(n));
                }
                case KIND_KV_CACHE_BF16 -> {
                    int kvDim = dimension(what + " kvDim");
                    int length = count(what + " length");
                    int n = entries(2, Short.BYTES, what + " bf16 keys and values", kvDim, length);
                    yield KvCache.ofBf16(kvDim, length, readShorts(n), readShorts(n));
                }
                case KIND_SLIDING_WINDOW -> {
                    int window = dimension(what + " window");
                    int kvDim = dimension(what + " kvDim");
                    int length = count(what + " length");
                    int n = floats(2, what + " keys and values", window, kvDim);
                    yield SlidingWindowKvCache.of(window, kvDim, length, readFloats(n), readFloats(n));
                }
                case KIND_CONV -> {
                    int width = dimension(what + " width");
                    int channels = dimension(what + " channels");
                    int n = floats(1, what + " inputs", width, channels);
                    ConvState conv = new ConvState(width, channels);
                    readFloats(conv.inputs(), n);
                    yield conv;
                }
                case KIND_SSM -> {
                    int rows = dimension(what + " rows");
                    int stateSize = dimension(what + " stateSize");
                    int n = floats(1, what + " state", rows, stateSize);
                    SsmState ssm = new SsmState(rows, stateSize);
                    readFloats(ssm.state(), n);
                    yield ssm;
                }
                case KIND_DELTA_RULE -> {
                    int heads = dimension(what + " heads");
                    int keyDim = dimension(what + " keyDim");
                    int valueDim = dimension(what + " valueDim");
                    int n = floats(1, what + " state", heads, keyDim, valueDim);
                    DeltaRuleState delta = new DeltaRuleState(heads, keyDim, valueDim);
                    readFloats(delta.state(), n);
                    yield delta;
                }
                default -> throw new ContextStateFormatException("unknown cache kind " + kind + " in slot " + slot
                        + " (known: 1 .. 6)", kindOffset);
            };
        }

        private void require(int count, String what) {
            if (buf.remaining() < count) {
                throw new ContextStateFormatException("truncated: " + what + " needs " + count + " bytes, only "
                        + buf.remaining() + " left before the CRC", buf.position());
            }
        }

        private int u16(String what) {
            require(2, what);
            return buf.getShort() & 0xFFFF;
        }

        private int i32(String what) {
            require(4, what);
            return buf.getInt();
        }

        /** An i32 that must be positive. */
        private int dimension(String what) {
            int offset = buf.position();
            int value = i32(what);
            if (value <= 0) {
                throw new ContextStateFormatException(what + " must be positive, got " + value, offset);
            }
            return value;
        }

        /** An i32 that must not be negative. */
        private int count(String what) {
            int offset = buf.position();
            int value = i32(what);
            if (value < 0) {
                throw new ContextStateFormatException(what + " must not be negative, got " + value, offset);
            }
            return value;
        }

        /**
         * The product of {@code dimensions}, checked to fit {@code arrays} times in the bytes
         * left before the CRC before anything is allocated (so it also fits an int).
         */
        private int floats(int arrays, String what, int... dimensions) {
            return entries(arrays, Float.BYTES, what, dimensions);
        }

        /** As {@link #floats}, for entries of {@code bytes} bytes each. */
        private int entries(int arrays, int bytes, String what, int... dimensions) {
            long limit = buf.remaining() / ((long) arrays * bytes);
            long product = 1;
            for (int d : dimensions) {
                product *= d; // product <= limit < 2^31 and d < 2^31 before: no overflow
                if (product > limit) {
                    throw new ContextStateFormatException("truncated or oversized: " + what + ", " + arrays + " x "
                            + Arrays.toString(dimensions) + " entries of " + bytes + " bytes, exceed the " + buf.remaining()
                            + " bytes left before the CRC", buf.position());
                }
            }
            return (int) product;
        }

        private short[] readShorts(int count) {
            short[] out = new short[count];
            buf.asShortBuffer().get(out);
            buf.position(buf.position() + count * Short.BYTES);
            return out;
        }

        private float[] readFloats(int count) {
            float[] out = new float[count];
            buf.asFloatBuffer().get(out);
            buf.position(buf.position() + count * Float.BYTES);
            return out;
        }

        private void readFloats(float[] into, int count) {
            if (into.length != count) {
                throw new IllegalStateException("array of " + into.length + " for " + count + " floats");
            }
            buf.asFloatBuffer().get(into);
            buf.position(buf.position() + count * Float.BYTES);
        }
    }
}
