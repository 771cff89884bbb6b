package dev.vstream.api.deadletter;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers a dead-lettered record carries. The original key and value are kept byte for byte so
 * nothing accepted is lost; the headers say why and where from.
 *
 * @param reason         human-readable reason the record was rejected
 * @param sourceTopic    topic the record was read from
 * @param sourcePartition its partition
 * @param sourceOffset   its offset
 */
public record DeadLetter(String reason, String sourceTopic, int sourcePartition, long sourceOffset) {
    public static final String REASON = "vstream.dlq.reason";
    public static final String SOURCE_TOPIC = "vstream.dlq.source.topic";
    public static final String SOURCE_PARTITION = "vstream.dlq.source.partition";
    public static final String SOURCE_OFFSET = "vstream.dlq.source.offset";

    public DeadLetter {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a dead letter needs a reason");
        }
    }

    /** The original headers plus the dead-letter ones. */
    public Headers appendTo(Headers original) {
        RecordHeaders headers = new RecordHeaders(original == null ? new Header[0] : original.toArray());
        headers.remove(REASON);
        headers.add(REASON, utf8(reason));
        headers.add(SOURCE_TOPIC, utf8(sourceTopic));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(sourcePartition)));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(sourceOffset)));
        return headers;
    }

    /** Reads the dead-letter headers back, e.g. in a tool that inspects the DLQ. */
    public static DeadLetter from(Headers headers) {
        return new DeadLetter(text(headers, REASON), text(headers, SOURCE_TOPIC),
                Integer.parseInt(text(headers, SOURCE_PARTITION)), Long.parseLong(text(headers, SOURCE_OFFSET)));
    }

    private static String text(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        if (h == null) {
            throw new IllegalArgumentException("record has no " + name + " header: not a vstream dead letter");
        }
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
