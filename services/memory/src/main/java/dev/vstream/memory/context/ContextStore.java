package dev.vstream.memory.context;

import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.context.source.ContextSource;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The prefilled contexts of this instance's streams: the newest and the one before it per stream (a question
 * that saw the previous memory version can still be served while the newest is fetched). In one process this is
 * also the QA service's {@link ContextSource}: contexts are handed over as they are, without a copy.
 */
public final class ContextStore implements ContextSource {

    /** Newest first; previous may be null. */
    private record Held(PrefilledContext newest, PrefilledContext previous) {
    }

    private final ConcurrentHashMap<String, Held> contexts = new ConcurrentHashMap<>();

    /** Keeps {@code context} as its stream's newest (an older version than the newest is ignored). */
    void put(PrefilledContext context) {
        contexts.compute(context.streamId(), (id, held) -> {
            if (held == null) {
                return new Held(context, null);
            }
            // Versions restart at 1 after expiry, which removes the stream first; within one memory they grow.
            if (context.memoryVersion() <= held.newest().memoryVersion()) {
                return held;
            }
            return new Held(context, held.newest());
        });
    }

    /** Forgets the stream (it expired). */
    void remove(String streamId) {
        contexts.remove(streamId);
    }

    /** The stream's newest context, or null. */
    public PrefilledContext newest(String streamId) {
        Held held = contexts.get(streamId);
        return held == null ? null : held.newest();
    }

    /** The newest context of the stream at or below {@code maxVersion}, or null. */
    public PrefilledContext newestUpTo(String streamId, long maxVersion) {
        Held held = contexts.get(streamId);
        if (held == null) {
            return null;
        }
        for (PrefilledContext context : held.previous() == null ? List.of(held.newest())
                : List.of(held.newest(), held.previous())) {
            if (context.memoryVersion() <= maxVersion) {
                return context;
            }
        }
        return null;
    }

    /** Streams with a context. */
    public int streams() {
        return contexts.size();
    }

    /** Bytes of every context state held. */
    public long bytes() {
        return contexts.values().stream().mapToLong(h -> h.newest().sizeInBytes()
                + (h.previous() == null ? 0 : h.previous().sizeInBytes())).sum();
    }

    @Override
    public Fetch newest(String streamId, long maxVersion, Collection<PrefilledContext> held) {
        PrefilledContext context = newestUpTo(streamId, maxVersion);
        return context == null ? new Fetch.NotPrefilled("no context of stream '" + streamId + "' at or below version "
                + maxVersion + " is prefilled here") : new Fetch.Found(context);
    }
}
