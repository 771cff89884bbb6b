package dev.vstream.api.question;

import dev.vstream.api.frame.MalformedRecordException;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Big-endian writing and strict reading of the question and answer records' fields. */
final class WireBuffer {
    private WireBuffer() {
    }

    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        private final ByteBuffer scratch = ByteBuffer.allocate(8);

        Writer bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Writer u8(int v) {
            out.write(v);
            return this;
        }

        Writer i32(int v) {
            out.write(scratch.clear().putInt(v).array(), 0, 4);
            return this;
        }

        Writer i64(long v) {
            out.write(scratch.clear().putLong(v).array(), 0, 8);
            return this;
        }

        Writer f64(double v) {
            return i64(Double.doubleToRawLongBits(v));
        }

        /** A u16 length and UTF-8 bytes. */
        Writer shortString(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xFFFF) {
                throw new IllegalArgumentException("string of " + b.length + " bytes does not fit a u16 length");
            }
            out.write(b.length >>> 8);
            out.write(b.length);
            return bytes(b);
        }

        /** An i32 length and UTF-8 bytes. */
        Writer longString(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return i32(b.length).bytes(b);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    static final class Reader {
        private final ByteBuffer in;

        Reader(byte[] value) {
            this.in = ByteBuffer.wrap(value);
        }

        void magic(byte[] magic, byte version, String what) throws MalformedRecordException {
            for (byte m : magic) {
                if (u8() != (m & 0xff)) {
                    throw new MalformedRecordException("not a " + what + ": bad magic");
                }
            }
            int v = u8();
            if (v != version) {
                throw new MalformedRecordException(what + " schema version " + v + ", expected " + version);
            }
        }

        int u8() throws MalformedRecordException {
            try {
                return in.get() & 0xff;
            } catch (BufferUnderflowException e) {
                throw new MalformedRecordException("truncated record");
            }
        }

        int i32() throws MalformedRecordException {
            try {
                return in.getInt();
            } catch (BufferUnderflowException e) {
                throw new MalformedRecordException("truncated record");
            }
        }

        long i64() throws MalformedRecordException {
            try {
                return in.getLong();
            } catch (BufferUnderflowException e) {
                throw new MalformedRecordException("truncated record");
            }
        }

        double f64() throws MalformedRecordException {
            return Double.longBitsToDouble(i64());
        }

        String shortString(String field) throws MalformedRecordException {
            int length = (u8() << 8) | u8();
            return utf8(length, field);
        }

        String longString(String field, int maxBytes) throws MalformedRecordException {
            int length = i32();
            if (length < 0 || length > maxBytes) {
                throw new MalformedRecordException(field + " length " + length + " outside 0.." + maxBytes);
            }
            return utf8(length, field);
        }

        private String utf8(int length, String field) throws MalformedRecordException {
            if (length > in.remaining()) {
                throw new MalformedRecordException("truncated record: " + field + " of " + length + " bytes");
            }
            ByteBuffer slice = in.slice(in.position(), length);
            in.position(in.position() + length);
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice);
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw new MalformedRecordException(field + " is not valid UTF-8");
            }
        }

        void end() throws MalformedRecordException {
            if (in.hasRemaining()) {
                throw new MalformedRecordException(in.remaining() + " trailing bytes");
            }
        }
    }
}
