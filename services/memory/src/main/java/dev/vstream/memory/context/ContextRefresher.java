package dev.vstream.memory.context;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.context.prefill.ContextPrefill;
import dev.vstream.context.prefill.MemoryWindow;
import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.memory.intake.MemoryListener;
import dev.vstream.model.lm.KvPrecision;
import dev.vstream.model.lm.PrefillOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prefills the language model over each stream's newest memory, off the frame-processing path: the topology
 * hands each published memory version over ({@link #updated}, returns at once), and {@code threads} refresh
 * threads, each with its own model instance over the shared weights, prefill them into the {@link ContextStore}.
 *
 * <p>Latest wins: a stream has at most one version waiting; a newer one replaces it (the older is counted as
 * superseded and never prefilled), and a stream is refreshed by one thread at a time, so its contexts appear in
 * version order (two threads never refresh one stream). The prefill is sparse (MMInference patterns shipped with the model) when the context is longer
 * than {@code sparseMinTokens}, dense below.
 */
public final class ContextRefresher implements MemoryListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ContextRefresher.class);

    /** What is known of a stream: the newest version offered, and since when the newest prefilled one lags. */
    private static final class Progress {
        long offeredVersion;
        long prefilledVersion;
        long lagSinceMs = -1;
    }

    private final LanguageModelHost.Loaded host;
    private final ContextStore store;
    private final PrefillOptions options;
    /** The version waiting per stream, and the streams a thread is refreshing; guarded by {@code this}. */
    private final Map<String, Offer> pending = new HashMap<>();
    private final int windowFrames;
    private final Set<String> running = new HashSet<>();
    private final ConcurrentHashMap<String, Progress> progress = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<String> ready = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private final Timer refreshTime;
    private final DistributionSummary contextTokens;
    private final DistributionSummary density;
    private final Counter refreshed;
    private final Counter superseded;
    private final Counter failed;
    private volatile boolean closed;

    /**
     * @param sparseMinTokens prefill sparse when the context is longer than this many positions
     * @param threads         refresh threads (each holds one model instance and prefills one stream at a time)
     * @param kvPrecision     how the contexts keep their attention keys and values
     * @param windowFrames    newest frames of the stream each context reads after the memory (the long window)
     */
    public record Settings(int sparseMinTokens, int threads, KvPrecision kvPrecision, int windowFrames) {
    }

    public ContextRefresher(LanguageModelHost.Loaded host, ContextStore store, Settings settings, MeterRegistry meters) {
        this.host = host;
        this.store = store;
        int sparseMinTokens = settings.sparseMinTokens();
        int threads = settings.threads();
        this.windowFrames = settings.windowFrames();
        this.options = PrefillOptions.auto(sparseMinTokens);
        this.refreshTime = Timer.builder("vstream.memory.context.refresh")
                .description("time to prefill a memory version's context").publishPercentiles(0.5, 0.95, 0.99)
                .register(meters);
        this.contextTokens = DistributionSummary.builder("vstream.memory.context.tokens")
                .description("prefix positions of each prefilled context").register(meters);
        this.density = DistributionSummary.builder("vstream.memory.context.sparse.density")
                .description("fraction of causal attention blocks computed by each sparse prefill").register(meters);
        this.refreshed = Counter.builder("vstream.memory.context.refreshes").tag("outcome", "prefilled").register(meters);
        this.superseded = Counter.builder("vstream.memory.context.refreshes").tag("outcome", "superseded")
                .description("memory versions replaced by a newer one before their turn").register(meters);
        this.failed = Counter.builder("vstream.memory.context.refreshes").tag("outcome", "failed").register(meters);
        Gauge.builder("vstream.memory.context.staleness.versions", this, ContextRefresher::stalenessVersions)
                .description("most memory versions any stream's newest context lags behind its newest memory")
                .register(meters);
        Gauge.builder("vstream.memory.context.staleness.seconds", this, ContextRefresher::stalenessSeconds)
                .description("longest time any stream's newest memory version has waited for its context")
                .register(meters);
        Gauge.builder("vstream.memory.context.pending", this, ContextRefresher::pendingStreams)
                .description("streams with a memory version waiting for a refresh").register(meters);
        Gauge.builder("vstream.memory.context.bytes", store, ContextStore::bytes)
                .description("bytes of the context states held").register(meters);
        for (int i = 0; i < threads; i++) {
            var model = host.newModel();
            ContextPrefill prefill = new ContextPrefill(host, model, settings.kvPrecision());
            if (i == 0 && model.patterns().isEmpty()) {
                log.info("Context refresher: {} has no sparse_patterns.json, every context is prefilled dense",
                        host.name());
            }
            Thread thread = Thread.ofPlatform().name("context-refresh-" + i).daemon().unstarted(() -> work(prefill));
            workers.add(thread);
        }
        workers.forEach(Thread::start);
        log.info("Context refresher: {} thread(s), model {}, sparse above {} positions, {} keys and values, long window "
                + "of {} frames", threads, host.modelId(), sparseMinTokens, settings.kvPrecision(), windowFrames);
    }

    @Override
    public int windowFrames() {
        return windowFrames;
    }

    /** A memory version waiting for its refresh, with its long window. */
    private record Offer(MemorySnapshot snapshot, MemoryWindow window) {
    }

    @Override
    public void updated(MemorySnapshot snapshot, MemoryWindow window) {
        if (closed) {
            return;
        }
        String streamId = snapshot.streamId();
        synchronized (this) {
            // With the version, so a worker takes a snapshot together with the Progress (memory) it belongs to.
            progress.compute(streamId, (id, p) -> {
                Progress next = p == null || snapshot.version() < p.offeredVersion ? new Progress() : p;
                next.offeredVersion = snapshot.version();
                if (next.lagSinceMs < 0) {
                    next.lagSinceMs = System.currentTimeMillis();
                }
                return next;
            });
            if (pending.put(streamId, new Offer(snapshot, window)) != null) {
                superseded.increment();
            } else if (!running.contains(streamId)) {
                ready.add(streamId);
            }
        }
    }

    @Override
    public void expired(String streamId) {
        synchronized (this) {
            pending.remove(streamId);
            progress.remove(streamId);
        }
        store.remove(streamId);
    }

    private void work(ContextPrefill prefill) {
        while (!closed) {
            String streamId;
            try {
                streamId = ready.take();
            } catch (InterruptedException e) {
                return;
            }
            Offer next;
            Progress memory;
            synchronized (this) {
                next = pending.remove(streamId);
                if (next == null) {
                    continue;
                }
                memory = progress.get(streamId);
                running.add(streamId);
            }
            try {
                refresh(prefill, next, memory);
            } finally {
                synchronized (this) {
                    running.remove(streamId);
                    // A version offered while this one ran was not queued (the stream was running): queue it now.
                    if (pending.containsKey(streamId)) {
                        ready.add(streamId);
                    }
                }
            }
        }
    }

    synchronized int pendingStreams() {
        return pending.size();
    }

    /** @param memory the stream's Progress when the snapshot was taken: the memory the snapshot belongs to */
    private void refresh(ContextPrefill prefill, Offer offer, Progress memory) {
        MemorySnapshot snapshot = offer.snapshot();
        String streamId = snapshot.streamId();
        String unusable = ContextPrefill.unusable(host, snapshot);
        if (unusable != null) {
            failed.increment();
            log.warn("Stream '{}': memory version {} cannot be prefilled: {}", streamId, snapshot.version(), unusable);
            return;
        }
        PrefilledContext context;
        try {
            context = prefill.prefill(snapshot, offer.window(), options);
        } catch (RuntimeException e) {
            failed.increment();
            log.error("Stream '{}': context prefill of memory version {} failed", streamId, snapshot.version(), e);
            return;
        }
        boolean first = store.newest(streamId) == null;
        boolean[] stored = {false};
        // Stored only while the stream still has the memory it was prefilled from: one that expired (and perhaps
        // began again at version 1) while it was prefilled must not get the old memory's context. Under the
        // stream's entry, so that expired() (which drops the entry before the store's) cannot interleave.
        progress.computeIfPresent(streamId, (id, p) -> {
            if (p != memory) {
                return p;
            }
            store.put(context);
            stored[0] = true;
            p.prefilledVersion = Math.max(p.prefilledVersion, context.memoryVersion());
            if (p.prefilledVersion >= p.offeredVersion) {
                p.lagSinceMs = -1;
            }
            return p;
        });
        if (!stored[0]) {
            log.debug("Stream '{}': memory version {} expired while it was prefilled, not kept", streamId,
                    snapshot.version());
            return;
        }
        refreshed.increment();
        refreshTime.record((long) (context.prefillMillis() * 1e6), TimeUnit.NANOSECONDS);
        contextTokens.record(context.prefixTokens());
        if (context.sparse()) {
            density.record(context.density());
        }
        if (first) {
            log.info("Stream '{}': first context prefilled (memory version {}, {} positions, {} ms, {})", streamId,
                    context.memoryVersion(), context.prefixTokens(), context.prefillMillis(),
                    context.sparse() ? "sparse, density " + String.format("%.3f", context.density()) : "dense");
        } else if (log.isDebugEnabled()) {
            log.debug("Stream '{}': context of memory version {} prefilled in {} ms", streamId,
                    context.memoryVersion(), context.prefillMillis());
        }
    }

    double stalenessVersions() {
        return progress.values().stream().mapToLong(p -> p.offeredVersion - p.prefilledVersion).max().orElse(0);
    }

    double stalenessSeconds() {
        long now = System.currentTimeMillis();
        return progress.values().stream().mapToLong(p -> p.lagSinceMs < 0 ? 0 : now - p.lagSinceMs).max().orElse(0)
                / 1e3;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        workers.forEach(Thread::interrupt);
        for (Thread thread : workers) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
