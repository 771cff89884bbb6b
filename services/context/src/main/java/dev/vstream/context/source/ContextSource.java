package dev.vstream.context.source;

import dev.vstream.context.prefill.PrefilledContext;
import java.util.Collection;

/**
 * Where a QA instance gets prefilled contexts: over HTTP from the memory instance that owns the stream, or, in
 * one process, straight from the memory service's store.
 */
public interface ContextSource {

    /** The outcome of asking for a stream's context. */
    sealed interface Fetch {
        /** The newest context of the stream at or below the version asked for. */
        record Found(PrefilledContext context) implements Fetch {
        }

        /** That newest context is one the caller already holds (version, newest frame time). */
        record AlreadyHeld(long memoryVersion, long newestWallClockMs) implements Fetch {
        }

        /** The source is up and has no such context (not prefilled yet, unknown stream, other model). */
        record NotPrefilled(String why) implements Fetch {
        }

        /** The source could not be asked (down, unreachable, rebalancing, bad answer). */
        record Unavailable(String why) implements Fetch {
        }
    }

    /**
     * The newest prefilled context of {@code streamId} whose memory version is at most {@code maxVersion}.
     *
     * @param held contexts of this stream the caller already has: when the answer is one of them the source may
     *             say so ({@link Fetch.AlreadyHeld}) instead of sending it again
     */
    Fetch newest(String streamId, long maxVersion, Collection<PrefilledContext> held);
}
