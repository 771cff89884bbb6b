package dev.vstream.ingest.stream;

import dev.vstream.api.frame.FrameRecord;
import dev.vstream.ingest.publish.FramePublisher;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Keeps published frames in memory; acknowledges at once, never, or fails, as the test needs. */
final class RecordingPublisher implements FramePublisher {
    enum Mode { ACK, HOLD, FAIL }

    private final List<FrameRecord> frames = new CopyOnWriteArrayList<>();
    private final Queue<Consumer<Exception>> held = new ConcurrentLinkedQueue<>();
    private volatile Mode mode;

    RecordingPublisher(Mode mode) {
        this.mode = mode;
    }

    @Override
    public void publish(FrameRecord frame, Consumer<Exception> onCompletion) {
        switch (mode) {
            case ACK -> {
                frames.add(frame);
                onCompletion.accept(null);
            }
            case HOLD -> {
                frames.add(frame);
                held.add(onCompletion);
            }
            case FAIL -> onCompletion.accept(new org.apache.kafka.common.errors.TimeoutException("broker unreachable (test)"));
        }
    }

    /** Acknowledges everything held and every frame from now on. */
    void release() {
        mode = Mode.ACK;
        for (Consumer<Exception> callback = held.poll(); callback != null; callback = held.poll()) {
            callback.accept(null);
        }
    }

    List<FrameRecord> frames(String streamId) {
        return frames.stream().filter(f -> f.streamId().equals(streamId)).toList();
    }
}
