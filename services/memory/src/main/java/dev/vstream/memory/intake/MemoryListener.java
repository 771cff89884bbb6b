package dev.vstream.memory.intake;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.context.prefill.MemoryWindow;

/**
 * Told of each memory the topology publishes, on the stream thread, inside its transaction: it must return at
 * once (the context refresher queues the work for its own threads).
 */
public interface MemoryListener {
    MemoryListener NONE = new MemoryListener() {
        @Override
        public void updated(MemorySnapshot snapshot, MemoryWindow window) {
        }

        @Override
        public void expired(String streamId) {
        }
    };

    /** Frames of the long window the listener wants with each memory ({@link #updated}'s window); 0 for none. */
    default int windowFrames() {
        return 0;
    }

    /**
     * A new memory version of a stream, as published to vstream.memory, with the newest {@link #windowFrames()}
     * frames of the stream at the memory's spatial resolution (never published; {@link MemoryWindow#NONE} when none
     * are wanted).
     */
    void updated(MemorySnapshot snapshot, MemoryWindow window);

    /** The stream expired: its memory is gone (a tombstone was published). */
    void expired(String streamId);
}
