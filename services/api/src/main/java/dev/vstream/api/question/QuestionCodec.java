package dev.vstream.api.question;

import dev.vstream.api.frame.MalformedRecordException;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary value format of {@code vstream.questions}, schema version 1. Integers and doubles big-endian; a
 * "string16" is a u16 byte length and UTF-8, a "string32" an i32 byte length and UTF-8.
 *
 * <pre>
 * size      field
 * 4         magic "VSQQ"
 * 1         schema version (1)
 * string16  question id (1..128 bytes)
 * string16  stream id, equal to the record key
 * 8         asked-at time, epoch ms (>= 0)
 * string32  question (1..{@value QuestionRequest#MAX_QUESTION_CHARS} characters)
 * 4         maxTokens (0: the service's default)
 * 8         temperature (f64)
 * 8         topP (f64)
 * 8         seed
 * 1         flags: bit 0 sparsePrefill, other bits 0
 * 1         number of stop strings (0..4), then each as a string16
 * </pre>
 *
 * Decoding is strict: any deviation, trailing bytes included, is a {@link MalformedRecordException}.
 */
public final class QuestionCodec {
    public static final byte[] MAGIC = {'V', 'S', 'Q', 'Q'};
    public static final byte SCHEMA_VERSION = 1;

    private QuestionCodec() {
    }

    public static byte[] encode(QuestionRecord record) {
        QuestionRequest r = record.request();
        WireBuffer.Writer out = new WireBuffer.Writer().bytes(MAGIC).u8(SCHEMA_VERSION)
                .shortString(record.questionId()).shortString(record.streamId()).i64(record.askedAtMs())
                .longString(r.question()).i32(r.maxTokens() == null ? 0 : r.maxTokens()).f64(r.temperature())
                .f64(r.topP()).i64(r.seed()).u8(r.sparsePrefill() ? 1 : 0).u8(r.stop().size());
        r.stop().forEach(out::shortString);
        return out.toBytes();
    }

    /** Decodes a value and checks that its stream id equals the record key. */
    public static QuestionRecord decode(String key, byte[] value) throws MalformedRecordException {
        QuestionRecord record = decode(value);
        if (!record.streamId().equals(key)) {
            throw new MalformedRecordException("stream id '" + record.streamId() + "' differs from the key '" + key + "'");
        }
        return record;
    }

    public static QuestionRecord decode(byte[] value) throws MalformedRecordException {
        if (value == null) {
            throw new MalformedRecordException("no value");
        }
        WireBuffer.Reader in = new WireBuffer.Reader(value);
        in.magic(MAGIC, SCHEMA_VERSION, "question record");
        String questionId = in.shortString("question id");
        String streamId = in.shortString("stream id");
        long askedAt = in.i64();
        String question = in.longString("question", 4 * QuestionRequest.MAX_QUESTION_CHARS);
        int maxTokens = in.i32();
        double temperature = in.f64();
        double topP = in.f64();
        long seed = in.i64();
        int flags = in.u8();
        if ((flags & ~1) != 0) {
            throw new MalformedRecordException("unknown flags " + flags);
        }
        int stops = in.u8();
        if (stops > QuestionRequest.MAX_STOP) {
            throw new MalformedRecordException(stops + " stop strings, at most " + QuestionRequest.MAX_STOP);
        }
        List<String> stop = new ArrayList<>();
        for (int i = 0; i < stops; i++) {
            stop.add(in.shortString("stop string"));
        }
        in.end();
        if (maxTokens < 0) {
            throw new MalformedRecordException("maxTokens " + maxTokens + " is negative");
        }
        try {
            return new QuestionRecord(questionId, streamId, askedAt, new QuestionRequest(question,
                    maxTokens == 0 ? null : maxTokens, temperature, topP, stop, seed, (flags & 1) != 0));
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException(e.getMessage());
        }
    }
}
