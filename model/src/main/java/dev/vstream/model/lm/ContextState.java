package dev.vstream.model.lm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link LanguageModel} needs to continue a sequence: the number of tokens seen
 * ({@link #position()}) and one {@link LayerCache} per cache slot. The model decides the slots
 * when it makes the context ({@link LanguageModel#newContext()}): e.g. a Mamba layer owns a
 * {@link ConvState} slot and an {@link SsmState} slot, an attention layer a {@link KvCache}
 * slot, a layer without state none.
 *
 * <p>Mutable and not thread-safe: one prefill or decode at a time. To keep a state (the memory
 * service's context after a refresh) take a {@link #snapshot()}: a deep, immutable copy from
 * which any number of independent contexts can be {@link Snapshot#resume() resumed}, each
 * continuing exactly as the original would have.
 */
public final class ContextState {

    private final String layout;
    private final List<LayerCache> caches;
    private int position;

    /**
     * @param layout a description of the model layout that made the caches (for example
     *               {@code "phi4flash 32 layers"}); a model refuses a context of another layout
     * @param caches one cache per slot, owned by this context from now on
     */
    public ContextState(String layout, List<LayerCache> caches) {
        this(layout, new ArrayList<>(caches), 0);
    }

    private ContextState(String layout, ArrayList<LayerCache> caches, int position) {
        this.layout = Objects.requireNonNull(layout, "layout");
        caches.forEach(c -> Objects.requireNonNull(c, "cache"));
        this.caches = caches;
        this.position = position;
    }

    /** Tokens seen so far: the position the next token will have. */
    public int position() {
        return position;
    }

    /** Called by the model once it has appended {@code tokens} tokens to every cache. */
    public void advance(int tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException("cannot advance by " + tokens);
        }
        position = Math.addExact(position, tokens);
    }

    public String layout() {
        return layout;
    }

    /** Number of cache slots. */
    public int slots() {
        return caches.size();
    }

    /**
     * The cache in {@code slot}, of the kind the layer expects.
     *
     * @throws IllegalStateException when the slot holds another kind (a context of another model)
     */
    public <C extends LayerCache> C cache(int slot, Class<C> kind) {
        LayerCache cache = caches.get(Objects.checkIndex(slot, caches.size()));
        if (!kind.isInstance(cache)) {
            throw new IllegalStateException("cache slot " + slot + " holds " + cache + ", expected a "
                    + kind.getSimpleName() + " (context of layout " + layout + ")");
        }
        return kind.cast(cache);
    }

    /** Checks that this context was made for {@code expectedLayout}. */
    public void requireLayout(String expectedLayout) {
        if (!layout.equals(expectedLayout)) {
            throw new IllegalArgumentException("context of layout '" + layout + "' given to a model of layout '"
                    + expectedLayout + "'");
        }
    }

    /** Bytes held by all caches. */
    public long sizeInBytes() {
        return caches.stream().mapToLong(LayerCache::sizeInBytes).sum();
    }

    /** A deep, immutable copy of the current state, exact ({@link KvPrecision#F32}). */
    public Snapshot snapshot() {
        return snapshot(KvPrecision.F32);
    }

    /**
     * A deep, immutable copy of the current state whose full-attention KV caches are stored in
     * {@code precision} ({@link KvCache#frozenCopy}); every other cache is copied exactly.
     */
    public Snapshot snapshot(KvPrecision precision) {
        Objects.requireNonNull(precision, "precision");
        ArrayList<LayerCache> copies = new ArrayList<>(caches.size());
        caches.forEach(c -> copies.add(c instanceof KvCache kv ? kv.frozenCopy(precision) : c.copy()));
        return new Snapshot(layout, position, copies);
    }

    @Override
    public String toString() {
        return "ContextState[" + layout + ", position " + position + ", " + caches.size() + " caches, "
                + sizeInBytes() + " bytes]";
    }

    /**
     * A frozen context. Its caches are private copies that nothing can reach, so it never
     * changes; {@link #resume()} hands out fresh copies, so one snapshot can serve many
     * questions, concurrently if each has its own model instance.
     */
    public static final class Snapshot {

        private final String layout;
        private final int position;
        private final List<LayerCache> caches;

        private Snapshot(String layout, int position, List<LayerCache> caches) {
            this.layout = layout;
            this.position = position;
            this.caches = List.copyOf(caches);
        }

        /**
         * A snapshot of the given caches, taken over, not copied: the caller must hold no other
         * reference to them (for {@link ContextStateCodec}, which builds them fresh).
         */
        static Snapshot of(String layout, int position, List<LayerCache> caches) {
            Objects.requireNonNull(layout, "layout");
            if (position < 0) {
                throw new IllegalArgumentException("position must not be negative, got " + position);
            }
            caches.forEach(c -> Objects.requireNonNull(c, "cache"));
            return new Snapshot(layout, position, caches);
        }

        public int position() {
            return position;
        }

        public String layout() {
            return layout;
        }

        /** The frozen caches, one per slot, for reading only ({@link ContextStateCodec}). */
        List<LayerCache> caches() {
            return caches;
        }

        public long sizeInBytes() {
            return caches.stream().mapToLong(LayerCache::sizeInBytes).sum();
        }

        /**
         * A new mutable context that continues exactly where the snapshot was taken. Its KV
         * caches share the snapshot's positions as a frozen prefix: resuming copies only the
         * small recurrent states, whatever the context length.
         */
        public ContextState resume() {
            ArrayList<LayerCache> resumed = new ArrayList<>(caches.size());
            caches.forEach(c -> resumed.add(c.resumeCopy()));
            return new ContextState(layout, resumed, position);
        }

        @Override
        public String toString() {
            return "ContextState.Snapshot[" + layout + ", position " + position + ", " + sizeInBytes() + " bytes]";
        }
    }
}
