package dev.vstream.memory.intake;

import dev.vstream.api.deadletter.DeadLetter;
import dev.vstream.api.frame.FrameRecord;
import dev.vstream.api.frame.FrameRecordCodec;
import dev.vstream.api.frame.MalformedRecordException;
import dev.vstream.memory.intake.FrameIntake.Admission;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decodes each raw record of {@code vstream.frames} and takes the valid frames into their stream's
 * {@link FrameIntake}. It forwards the accepted records, as they came, to the memory update, and the refused ones
 * to the dead letters: key and value byte for byte, with the {@link DeadLetter} headers naming the reason and the
 * record's topic, partition and offset. Nothing a record carries can make it throw.
 */
final class FrameIntakeProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final IntakeMetrics metrics;
    private final DeadLetterLog deadLetterLog;
    private ProcessorContext<byte[], byte[]> context;
    private DeadLetterRouter deadLetters;
    private KeyValueStore<String, FrameIntake> intakes;

    FrameIntakeProcessor(IntakeMetrics metrics, DeadLetterLog deadLetterLog) {
        this.metrics = metrics;
        this.deadLetterLog = deadLetterLog;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.deadLetters = new DeadLetterRouter(context, metrics, deadLetterLog);
        this.intakes = context.getStateStore(FrameIntakeTopology.INTAKE_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        FrameRecord frame;
        try {
            frame = FrameRecordCodec.decode(utf8Key(record.key()), record.value());
        } catch (MalformedRecordException e) {
            String reason = e.getMessage();
            deadLetter(record, RejectionKind.MALFORMED, reason == null || reason.isBlank() ? "malformed frame record" : reason);
            return;
        } catch (RuntimeException e) {
            deadLetter(record, RejectionKind.DECODER_FAILURE, "decoder failed with " + e);
            return;
        }
        FrameIntake intake = intakes.get(frame.streamId());
        Admission admission = (intake == null ? FrameIntake.EMPTY : intake).admit(frame, record.timestamp());
        intakes.put(frame.streamId(), admission.next());
        switch (admission) {
            case Admission.Accepted accepted -> {
                metrics.accepted();
                context.forward(record, FrameIntakeTopology.MEMORY_UPDATE);
            }
            case Admission.Rejected rejected -> deadLetter(record, rejected.kind(), rejected.reason());
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, RejectionKind kind, String reason) {
        deadLetters.send(record, kind, reason);
    }

    /** The key as the stream id it must be; bytes that are not UTF-8 make the record malformed. */
    private static String utf8Key(byte[] key) throws MalformedRecordException {
        if (key == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedRecordException("record key is not valid UTF-8");
        }
    }
}
