package dev.vstream.api.question;

import dev.vstream.api.frame.MalformedRecordException;

/**
 * The binary value format of {@code vstream.answers}, schema version 1, in the conventions of {@link QuestionCodec}.
 *
 * <pre>
 * size      field
 * 4         magic "VSQA"
 * 1         schema version (1)
 * 1         outcome: 1 answered, 2 rejected
 * answered: string16 question id, string16 stream id, string32 answer, string16 finish reason,
 *           8 memory version, 8 context version, 8 newest-frame pts (us), 8 newest-frame wall clock (ms),
 *           8 staleness (ms), 4 memory tokens, 4 prompt tokens, 4 generated tokens,
 *           8 time to first token (ms, f64), 8 total (ms, f64), 8 queued (ms, f64),
 *           1 flags (bit 0 fallback prefill, bit 1 context reused, bit 2 sparse prefill used, bit 3 untrained model),
 *           4 prompt layout version, string16 model
 * rejected: string16 question id, string16 stream id, 4 HTTP status, string16 title, string32 detail
 * </pre>
 */
public final class AnswerCodec {
    public static final byte[] MAGIC = {'V', 'S', 'Q', 'A'};
    public static final byte SCHEMA_VERSION = 1;
    static final int MAX_TEXT_BYTES = 4 << 20;

    private AnswerCodec() {
    }

    public static byte[] encode(AnswerRecord record) {
        WireBuffer.Writer out = new WireBuffer.Writer().bytes(MAGIC).u8(SCHEMA_VERSION);
        switch (record) {
            case AnswerRecord.Answered a -> {
                AnswerReport r = a.report();
                int flags = (r.fallbackPrefill() ? 1 : 0) | (r.contextReused() ? 2 : 0) | (r.sparsePrefillUsed() ? 4 : 0)
                        | (r.untrainedModel() ? 8 : 0);
                out.u8(1).shortString(r.questionId()).shortString(r.streamId()).longString(r.answer())
                        .shortString(r.finishReason()).i64(r.memoryVersion()).i64(r.contextVersion())
                        .i64(r.newestFramePtsMicros()).i64(r.newestFrameWallClockMs()).i64(r.stalenessMs())
                        .i32(r.memoryTokens()).i32(r.promptTokens()).i32(r.generatedTokens())
                        .f64(r.timeToFirstTokenMs()).f64(r.totalMs()).f64(r.queuedMs()).u8(flags)
                        .i32(r.promptLayoutVersion()).shortString(r.model());
            }
            case AnswerRecord.Rejected r -> out.u8(2).shortString(r.questionId()).shortString(r.streamId())
                    .i32(r.status()).shortString(r.title()).longString(r.detail());
        }
        return out.toBytes();
    }

    public static AnswerRecord decode(byte[] value) throws MalformedRecordException {
        if (value == null) {
            throw new MalformedRecordException("no value");
        }
        WireBuffer.Reader in = new WireBuffer.Reader(value);
        in.magic(MAGIC, SCHEMA_VERSION, "answer record");
        int outcome = in.u8();
        try {
            AnswerRecord record = switch (outcome) {
                case 1 -> {
                    String qid = in.shortString("question id");
                    String sid = in.shortString("stream id");
                    String answer = in.longString("answer", MAX_TEXT_BYTES);
                    String finish = in.shortString("finish reason");
                    long memoryVersion = in.i64();
                    long contextVersion = in.i64();
                    long pts = in.i64();
                    long wall = in.i64();
                    long stale = in.i64();
                    int memoryTokens = in.i32();
                    int promptTokens = in.i32();
                    int generated = in.i32();
                    double ttft = in.f64();
                    double total = in.f64();
                    double queued = in.f64();
                    int flags = in.u8();
                    if ((flags & ~15) != 0) {
                        throw new MalformedRecordException("unknown flags " + flags);
                    }
                    int layout = in.i32();
                    String model = in.shortString("model");
                    yield new AnswerRecord.Answered(new AnswerReport(qid, sid, answer, finish, memoryVersion,
                            contextVersion, pts, wall, stale, memoryTokens, promptTokens, generated, ttft, total, queued,
                            (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, layout, model, (flags & 8) != 0));
                }
                case 2 -> new AnswerRecord.Rejected(in.shortString("question id"), in.shortString("stream id"), in.i32(),
                        in.shortString("title"), in.longString("detail", MAX_TEXT_BYTES));
                default -> throw new MalformedRecordException("unknown outcome " + outcome);
            };
            in.end();
            return record;
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedRecordException(e.getMessage());
        }
    }
}
