package dev.vstream.qa.context;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.context.prefill.ContextPrefill;
import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.context.source.ContextSource;
import dev.vstream.context.source.ContextSource.Fetch;
import dev.vstream.model.lm.PrefillOptions;
import dev.vstream.model.prompt.PromptLayout;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The context a question resumes: the memory service's newest prefilled context at or below the question's memory
 * version, from this instance's cache or fetched; when none can be had, the fallback: the same prefill run here
 * from the MemorySnapshot (flagged in the answer and counted), on the asking thread's model instance. Thread-safe:
 * the answer threads share one cache and one view of the memory service's health.
 *
 * <p>After the source was unreachable it is left alone for {@code retryAfter}, so questions do not each pay a
 * failed connection while the memory service is down; then it is asked again and served contexts resume: a context
 * prefilled here is used only until the memory service serves one of the same (or a newer) version.
 */
public final class ContextProvider {
    private static final Logger log = LoggerFactory.getLogger(ContextProvider.class);

    /** The context for one question and where it came from. */
    public record Resolved(PrefilledContext context, boolean fallback, boolean reused) {
    }

    private final LanguageModelHost.Loaded host;
    private final ContextSource source;
    private final ContextCache cache;
    private final int sparseMinTokens;
    private final Duration retryAfter;
    private final MeterRegistry meters;
    private volatile long sourceDownUntilNanos;
    private volatile boolean sourceDown;

    /** @param sparseMinTokens a fallback prefill asked to be sparse is so above this many positions */
    public ContextProvider(LanguageModelHost.Loaded host, ContextSource source, long cacheBytes, int sparseMinTokens,
                           Duration retryAfter, MeterRegistry meters) {
        this.host = host;
        this.source = source;
        this.cache = new ContextCache(cacheBytes);
        this.sparseMinTokens = sparseMinTokens;
        this.retryAfter = retryAfter;
        this.meters = meters;
        Gauge.builder("vstream.qa.context.cache.bytes", cache, ContextCache::bytes).register(meters);
        Gauge.builder("vstream.qa.context.cache.entries", cache, ContextCache::size).register(meters);
    }

    /**
     * The context for a question on {@code snapshot}, the newest memory at its time.
     *
     * @param sparseFallback  whether a fallback prefill may run sparse
     * @param fallbackPrefill the prefill on the calling thread's model instance
     */
    public Resolved resolve(MemorySnapshot snapshot, boolean sparseFallback, ContextPrefill fallbackPrefill) {
        String streamId = snapshot.streamId();
        ContextCache.Entry exact = cache.get(streamId, snapshot.version(), snapshot.newestWallClockMs());
        if (exact != null && !exact.fallback()) {
            count("cache-hit");
            return new Resolved(exact.context(), false, true);
        }
        // No served context of this version here (a context of our own may be): ask the memory service, unless it
        // was just found down. A served context replaces our own of the same version, so served contexts resume.
        String why = sourceDown && System.nanoTime() < sourceDownUntilNanos ? "memory service marked down" : null;
        if (why == null) {
            Fetch fetch = source.newest(streamId, snapshot.version(), cache.served(streamId));
            switch (fetch) {
                case Fetch.Found found when usable(found.context())
                        && (exact == null || found.context().memoryVersion() >= snapshot.version()) -> {
                    up();
                    cache.put(new ContextCache.Entry(found.context(), false));
                    count("fetched");
                    return new Resolved(found.context(), false, false);
                }
                case Fetch.Found found when usable(found.context()) -> {
                    up();
                    why = "the memory service's newest context (version " + found.context().memoryVersion()
                            + ") is older than the one prefilled here";
                }
                case Fetch.Found found -> why = "served context of model " + found.context().modelId() + ", layout v"
                        + found.context().promptLayoutVersion() + " does not fit " + host.modelId() + ", layout v"
                        + PromptLayout.VERSION;
                case Fetch.AlreadyHeld held -> {
                    up();
                    ContextCache.Entry entry = cache.get(streamId, held.memoryVersion(), held.newestWallClockMs());
                    if (entry != null && (exact == null || held.memoryVersion() >= snapshot.version())) {
                        count("cache-hit");
                        return new Resolved(entry.context(), entry.fallback(), true);
                    }
                    why = "the memory service named a context this instance no longer holds";
                }
                case Fetch.NotPrefilled none -> {
                    up();
                    why = none.why();
                }
                case Fetch.Unavailable down -> {
                    why = down.why();
                    if (!sourceDown) {
                        log.warn("Contexts unavailable from the memory service, prefilling from snapshots here: {}",
                                why);
                    }
                    sourceDown = true;
                    sourceDownUntilNanos = System.nanoTime() + retryAfter.toNanos();
                }
            }
        }
        if (exact != null) {
            count("cache-hit");
            return new Resolved(exact.context(), true, true);
        }
        PrefillOptions options = sparseFallback ? PrefillOptions.auto(sparseMinTokens) : PrefillOptions.DENSE;
        PrefilledContext context = fallbackPrefill.prefill(snapshot, options);
        cache.put(new ContextCache.Entry(context, true));
        count("fallback");
        log.debug("Stream '{}': fallback prefill of memory version {} ({})", streamId, snapshot.version(), why);
        return new Resolved(context, true, false);
    }

    private boolean usable(PrefilledContext context) {
        return context.modelId().equals(host.modelId()) && context.promptLayoutVersion() == PromptLayout.VERSION;
    }

    private void up() {
        if (sourceDown) {
            log.info("Memory service serves contexts again");
        }
        sourceDown = false;
    }

    private void count(String outcome) {
        meters.counter("vstream.qa.context.resolved", "outcome", outcome).increment();
    }
}
