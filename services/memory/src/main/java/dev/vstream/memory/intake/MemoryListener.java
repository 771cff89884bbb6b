package dev.vstream.memory.intake;

import dev.vstream.api.memory.MemorySnapshot;

/**
 * Told of each memory the topology publishes, on the stream thread, inside its transaction: it must return at
 * once (the context refresher queues the work for its own threads).
 */
public interface MemoryListener {
    MemoryListener NONE = new MemoryListener() {
        @Override
        public void updated(MemorySnapshot snapshot) {
        }

        @Override
        public void expired(String streamId) {
        }
    };

    /** A new memory version of a stream, as published to vstream.memory. */
    void updated(MemorySnapshot snapshot);

    /** The stream expired: its memory is gone (a tombstone was published). */
    void expired(String streamId);
}
