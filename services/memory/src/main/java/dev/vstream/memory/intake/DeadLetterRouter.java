package dev.vstream.memory.intake;

import dev.vstream.api.deadletter.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Sends a refused record to the dead-letter sink: key and value byte for byte as they arrived, with the
 * {@link DeadLetter} headers naming the reason and the record's topic, partition and offset; counted and logged.
 */
final class DeadLetterRouter {
    private final ProcessorContext<byte[], byte[]> context;
    private final IntakeMetrics metrics;
    private final DeadLetterLog log;

    DeadLetterRouter(ProcessorContext<byte[], byte[]> context, IntakeMetrics metrics, DeadLetterLog log) {
        this.context = context;
        this.metrics = metrics;
        this.log = log;
    }

    void send(Record<byte[], byte[]> record, RejectionKind kind, String reason) {
        RecordMetadata source = context.recordMetadata().orElseThrow(
                () -> new IllegalStateException("frames are dead-lettered while processing source records, which have metadata"));
        DeadLetter letter = new DeadLetter(reason, source.topic(), source.partition(), source.offset());
        context.forward(record.withHeaders(letter.appendTo(record.headers())), FrameIntakeTopology.DEAD_LETTERS);
        metrics.deadLettered(kind);
        log.record(kind, letter, DeadLetterLog.printable(record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8)));
    }
}
