package dev.vstream.qa.context;

import dev.vstream.context.prefill.PrefilledContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The context states this QA instance holds, least recently used out first, bounded in bytes. Fetched contexts
 * and the ones it prefilled itself (fallback) live here alike. Thread-safe (the answer threads share it).
 */
final class ContextCache {

    /** A held context and whether this instance prefilled it itself. */
    record Entry(PrefilledContext context, boolean fallback) {
    }

    private record Key(String streamId, long version, long newestWallClockMs) {
    }

    private final long maxBytes;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    ContextCache(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The context of that memory version, or null; a hit counts as a use. */
    synchronized Entry get(String streamId, long version, long newestWallClockMs) {
        return entries.get(new Key(streamId, version, newestWallClockMs));
    }

    /**
     * The stream's held contexts that the memory service served (for it to answer "you have it"; contexts prefilled
     * here are not offered, so a served one replaces them), newest version first.
     */
    synchronized List<PrefilledContext> served(String streamId) {
        List<PrefilledContext> held = new ArrayList<>();
        for (Map.Entry<Key, Entry> e : entries.entrySet()) {
            if (e.getKey().streamId().equals(streamId) && !e.getValue().fallback()) {
                held.add(e.getValue().context());
            }
        }
        held.sort((a, b) -> Long.compare(b.memoryVersion(), a.memoryVersion()));
        return held;
    }

    /**
     * Keeps {@code entry}, evicting the least recently used until it fits; a context larger than the whole cache
     * is not kept (the caller still uses it once).
     */
    synchronized void put(Entry entry) {
        PrefilledContext c = entry.context();
        Key key = new Key(c.streamId(), c.memoryVersion(), c.newestWallClockMs());
        long size = c.sizeInBytes();
        Entry old = entries.remove(key);
        if (old != null) {
            bytes -= old.context().sizeInBytes();
        }
        if (size > maxBytes) {
            return;
        }
        Iterator<Entry> eldest = entries.values().iterator();
        while (bytes + size > maxBytes && eldest.hasNext()) {
            bytes -= eldest.next().context().sizeInBytes();
            eldest.remove();
        }
        entries.put(key, entry);
        bytes += size;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int size() {
        return entries.size();
    }
}
