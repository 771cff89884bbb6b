package dev.vstream.memory.context;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.context.prefill.MemoryWindow;
import dev.vstream.memory.intake.MemoryListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's context prefill: the store of prefilled contexts and, when a language model is at hand, the
 * refresher that fills it; without one the store stays empty and QA prefills from the snapshots itself.
 */
public final class MemoryContexts implements MemoryListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MemoryContexts.class);

    private final ContextStore store = new ContextStore();
    private final LanguageModelHost host;
    private final boolean ownsHost;
    private final ContextRefresher refresher;
    private final String disabledReason;

    private MemoryContexts(LanguageModelHost host, boolean ownsHost, ContextRefresher.Settings settings,
                           MeterRegistry meters) {
        this.host = host;
        this.ownsHost = ownsHost;
        if (host instanceof LanguageModelHost.Loaded loaded) {
            this.refresher = new ContextRefresher(loaded, store, settings, meters);
            this.disabledReason = null;
        } else {
            this.refresher = null;
            this.disabledReason = host == null ? "no language model configured (vstream.memory.context.model-dir)"
                    : "language model not loaded: " + ((LanguageModelHost.Failed) host).reason();
            log.warn("No context prefill: {}. QA instances prefill from the memory snapshots themselves.", disabledReason);
        }
        io.micrometer.core.instrument.Gauge.builder("vstream.memory.context.streams", store, ContextStore::streams)
                .description("streams with a prefilled context").register(meters);
    }

    /**
     * @param shared a model already loaded in this process (the local stack shares QA's), or null
     * @param modelDir the model to load when none is shared; null: no context prefill
     */
    public static MemoryContexts create(LanguageModelHost shared, Path modelDir, int computeThreads,
                                        ContextRefresher.Settings settings, MeterRegistry meters) {
        if (shared != null) {
            return new MemoryContexts(shared, false, settings, meters);
        }
        if (modelDir == null) {
            return new MemoryContexts(null, false, settings, meters);
        }
        return new MemoryContexts(LanguageModelHost.load(modelDir, null, 0, computeThreads), true, settings, meters);
    }

    public ContextStore store() {
        return store;
    }

    /** Why contexts are not prefilled here, or null when they are. */
    public String disabledReason() {
        return disabledReason;
    }

    @Override
    public int windowFrames() {
        return refresher == null ? 0 : refresher.windowFrames();
    }

    @Override
    public void updated(MemorySnapshot snapshot, MemoryWindow window) {
        if (refresher != null) {
            refresher.updated(snapshot, window);
        }
    }

    @Override
    public void expired(String streamId) {
        if (refresher != null) {
            refresher.expired(streamId);
        }
        store.remove(streamId);
    }

    @Override
    public void close() throws InterruptedException {
        if (refresher != null) {
            refresher.close();
        }
        if (ownsHost && host != null) {
            host.close();
        }
    }
}
