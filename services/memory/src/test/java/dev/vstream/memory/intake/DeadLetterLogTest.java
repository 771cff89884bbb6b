package dev.vstream.memory.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.api.deadletter.DeadLetter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadLetterLogTest {
    private final AtomicLong now = new AtomicLong();
    private final DeadLetterLog log = new DeadLetterLog(Duration.ofSeconds(60), now::get);
    private final DeadLetter letter = new DeadLetter("bad magic", "vstream.frames", 0, 1);

    @Test
    void logsTheFirstRecordOfEachKindThenAtMostOncePerInterval() {
        assertThat(log.record(RejectionKind.MALFORMED, letter, "cam-1")).isTrue();
        assertThat(log.record(RejectionKind.MALFORMED, letter, "cam-1")).isFalse();
        assertThat(log.record(RejectionKind.DUPLICATE_SEQUENCE, letter, "cam-1")).isTrue();

        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(log.record(RejectionKind.MALFORMED, letter, "cam-1")).isFalse();
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(log.record(RejectionKind.MALFORMED, letter, "cam-1")).isTrue();
    }

    @Test
    void keysArePrintedBoundedAndWithoutControlCharacters() {
        assertThat(DeadLetterLog.printable("a\nb")).isEqualTo("a?b");
        assertThat(DeadLetterLog.printable("x".repeat(100))).hasSize(67);
        assertThat(DeadLetterLog.printable(null)).isEqualTo("null");
    }
}
