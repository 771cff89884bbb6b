package dev.vstream.api.topic;

import dev.vstream.api.frame.FrameRecord;
import java.time.Duration;
import java.util.List;

/** Every topic vstream reads or writes, with how it is created. Keys are always the stream id. */
public final class Topics {
    private static final int MIB = 1024 * 1024;
    /** Room for the dead-letter headers on top of the largest record the source topic accepts. */
    private static final int DEAD_LETTER_HEADROOM = 16 * 1024;

    /** Sampled JPEG frames, value {@link dev.vstream.api.frame.FrameRecordCodec}; a day of replay for rebuilding memory. */
    public static final TopicSpec FRAMES = new TopicSpec("vstream.frames", 6, CleanupPolicy.DELETE, Duration.ofHours(24),
            FrameRecord.MAX_PAYLOAD_BYTES + 1024 + 256);

    /** Records that broke their contract, original key and value kept, reason in headers ({@link DeadLetter}). */
    public static final TopicSpec FRAMES_DLQ = new TopicSpec("vstream.frames.dlq", 1, CleanupPolicy.DELETE, Duration.ofDays(7),
            FRAMES.maxMessageBytes() + DEAD_LETTER_HEADROOM);

    /** Newest memory snapshot per stream (compacted). */
    public static final TopicSpec MEMORY = new TopicSpec("vstream.memory", 6, CleanupPolicy.COMPACT, null, 64 * MIB);

    /** Questions from asynchronous clients. */
    public static final TopicSpec QUESTIONS = new TopicSpec("vstream.questions", 6, CleanupPolicy.DELETE, Duration.ofDays(1), MIB);

    /** Answers to {@link #QUESTIONS}, keyed by stream id, carrying the question id. */
    public static final TopicSpec ANSWERS = new TopicSpec("vstream.answers", 6, CleanupPolicy.DELETE, Duration.ofDays(7), MIB);

    public static final List<TopicSpec> ALL = List.of(FRAMES, FRAMES_DLQ, MEMORY, QUESTIONS, ANSWERS);

    private Topics() {
    }
}
