package dev.vstream.kernels.attention;

/**
 * The element-wise mask of one {@link BlockPass}, on original token positions. Always causal
 * ({@code key <= query}); within that, a pair is <em>inside</em> when the key is a sink token
 * ({@code key < sink}) or in the local window ({@code query - key < window}). A plain rule
 * keeps the inside pairs, a complement rule keeps the rest: the complement lets a second pass
 * (grid lines, dense tail rows) add keys without counting the sink and window twice.
 *
 * <p>Dense causal is {@code (0, MAX_VALUE, false)}, a sliding window {@code (0, w, false)},
 * A-shape {@code (sink, w, false)}.
 *
 * @param sink       keys {@code [0, sink)} are inside
 * @param window     keys with {@code query - key < window} are inside; {@link Integer#MAX_VALUE}
 *                   for no limit
 * @param complement keep the causal pairs that are <em>not</em> inside
 */
public record MaskRule(int sink, int window, boolean complement) {

    /** Dense causal attention. */
    public static final MaskRule CAUSAL = new MaskRule(0, Integer.MAX_VALUE, false);

    /** Block classes, from {@link #classify}. */
    static final int EMPTY = 0;
    static final int PARTIAL = 1;
    static final int FULL = 2;

    public MaskRule {
        if (sink < 0 || window < 0) {
            throw new IllegalArgumentException("sink and window must not be negative: " + sink + ", " + window);
        }
    }

    /** Causal sliding-window attention over the last {@code window} keys (the query included). */
    public static MaskRule slidingWindow(int window) {
        return new MaskRule(0, window, false);
    }

    public boolean allows(int query, int key) {
        if (key > query) {
            return false;
        }
        boolean inside = key < sink || query - key < window;
        return inside != complement;
    }

    /**
     * Whether every, some or no pair of a block is allowed, from the token ranges of its
     * query rows {@code [qMin, qMax]} and key rows {@code [kMin, kMax]} (bounds over the
     * block's tokens, which need not be contiguous).
     */
    int classify(int qMin, int qMax, int kMin, int kMax) {
        if (kMin > qMax) {
            return EMPTY;
        }
        boolean causalFull = kMax <= qMin;
        // Largest and smallest query-key distance over the causal pairs of the block.
        long farthest = (long) qMax - kMin;
        long nearest = Math.max(0L, (long) qMin - kMax);
        boolean allInside = kMax < sink || farthest < window;
        boolean noneInside = kMin >= sink && nearest >= window;
        if (complement) {
            if (allInside) {
                return EMPTY;
            }
            return causalFull && noneInside ? FULL : PARTIAL;
        }
        if (noneInside) {
            return EMPTY;
        }
        return causalFull && allInside ? FULL : PARTIAL;
    }
}
