package dev.vstream.ingest.publish;

import dev.vstream.api.frame.FrameRecord;
import java.util.function.Consumer;

/** Where sampled frames go: topic vstream.frames in the service, a list in tests. */
public interface FramePublisher {

    /**
     * Sends a frame asynchronously; never throws. {@code onCompletion} runs exactly once, with null when the
     * frame was acknowledged or with the failure, on whichever thread completes the send.
     */
    void publish(FrameRecord frame, Consumer<Exception> onCompletion);
}
