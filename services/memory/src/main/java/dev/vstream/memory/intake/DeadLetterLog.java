package dev.vstream.memory.intake;

import dev.vstream.api.deadletter.DeadLetter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs dead letters without drowning the log when a producer goes bad: per {@link RejectionKind}, one WARN
 * line at most per interval, naming the latest record and how many were held back since the previous line.
 * Every record is logged at DEBUG. Shared by the stream threads.
 */
public final class DeadLetterLog {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterLog.class);
    private static final int MAX_KEY_CHARS = 64;

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Map<RejectionKind, Window> windows = new EnumMap<>(RejectionKind.class);

    public DeadLetterLog(Duration interval) {
        this(interval, System::nanoTime);
    }

    DeadLetterLog(Duration interval, LongSupplier nanoTime) {
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        for (RejectionKind kind : RejectionKind.values()) {
            windows.put(kind, new Window());
        }
    }

    /** @return whether a WARN line was written for this record */
    boolean record(RejectionKind kind, DeadLetter letter, String key) {
        log.debug("Dead-lettered {}-{}@{} (key '{}', {}): {}", letter.sourceTopic(), letter.sourcePartition(),
                letter.sourceOffset(), key, kind.tag(), letter.reason());
        long heldBack = windows.get(kind).admit(nanoTime.getAsLong(), intervalNanos);
        if (heldBack < 0) {
            return false;
        }
        log.warn("Dead-lettered {}-{}@{} as {} (key '{}'): {}{}", letter.sourceTopic(),
                letter.sourcePartition(), letter.sourceOffset(), kind.tag(), key, letter.reason(),
                heldBack == 0 ? "" : " [" + heldBack + " more of this kind since the last such line]");
        return true;
    }

    /** A printable, bounded rendering of a record key whose bytes may be anything. */
    static String printable(String key) {
        if (key == null) {
            return "null";
        }
        String shown = key.length() <= MAX_KEY_CHARS ? key : key.substring(0, MAX_KEY_CHARS) + "...";
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    private static final class Window {
        private boolean logged;
        private long lastLineNanos;
        private long heldBack;

        /** @return records held back since the last line if this one is to be logged, else -1 */
        synchronized long admit(long now, long intervalNanos) {
            if (logged && now - lastLineNanos < intervalNanos) {
                heldBack++;
                return -1;
            }
            long count = heldBack;
            logged = true;
            lastLineNanos = now;
            heldBack = 0;
            return count;
        }
    }
}
