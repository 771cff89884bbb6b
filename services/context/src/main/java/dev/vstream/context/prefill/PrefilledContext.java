package dev.vstream.context.prefill;

import dev.vstream.api.frame.StreamId;
import dev.vstream.model.lm.ContextState;
import java.util.Objects;

/**
 * A stream's memory read by the language model: the {@code PromptLayout} memory prefix of one memory version,
 * prefilled, frozen, ready for any number of questions to resume. Immutable.
 *
 * @param streamId            the stream
 * @param memoryVersion       the MemorySnapshot version it was prefilled from (versions restart at 1 when a stream's
 *                            memory begins again, so a version is matched together with newestWallClockMs)
 * @param newestPtsMicros     presentation time of the newest frame in that memory
 * @param newestWallClockMs   Kafka time (epoch ms) of the newest frame in that memory
 * @param promptLayoutVersion the prompt layout it was built under
 * @param modelId             the model that prefilled it ({@code LanguageModelHost.Loaded#modelId})
 * @param prefixTokens        positions the prefix takes in the model's context: layout text and visual memory tokens,
 *                            and the model's own learned memory tokens where it prepends some (Nemotron-Flash)
 * @param memoryTokens        visual memory tokens among them
 * @param sparse              whether the MMInference sparse prefill ran
 * @param density             attention block pairs computed relative to the dense causal sweep (1 when dense;
 *                            below 1 is what the sparse patterns save, above 1 only for short or much split prompts)
 * @param prefillMillis       how long the prefill took
 * @param state               the model's state after the prefix
 */
public record PrefilledContext(String streamId, long memoryVersion, long newestPtsMicros, long newestWallClockMs,
                               int promptLayoutVersion, String modelId, int prefixTokens, int memoryTokens,
                               boolean sparse, double density, double prefillMillis, ContextState.Snapshot state) {
    public PrefilledContext {
        StreamId.require(streamId);
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(state, "state");
        if (memoryVersion < 1 || prefixTokens < 1 || memoryTokens < 0 || memoryTokens > prefixTokens) {
            throw new IllegalArgumentException("inconsistent context of stream '" + streamId + "': version "
                    + memoryVersion + ", " + prefixTokens + " prefix tokens, " + memoryTokens + " memory tokens");
        }
        if (state.position() != prefixTokens) {
            throw new IllegalArgumentException("context state at position " + state.position() + " for a prefix of "
                    + prefixTokens + " tokens");
        }
        if (!(density > 0 && Double.isFinite(density))) {
            throw new IllegalArgumentException("density must be positive, got " + density);
        }
    }

    /** Whether this context was prefilled from that memory version (version and newest frame time). */
    public boolean isOf(long version, long newestFrameWallClockMs) {
        return memoryVersion == version && newestWallClockMs == newestFrameWallClockMs;
    }

    /** Bytes the state holds (what keeping or shipping it costs). */
    public long sizeInBytes() {
        return state.sizeInBytes();
    }
}
