package dev.vstream.kernels.attention;

/** Which (query, key) token pairs of one head take part in attention, in original positions. */
@FunctionalInterface
public interface TokenMask {

    /** Whether query token {@code query} attends key token {@code key}. */
    boolean allows(int query, int key);

    /** Plain causal attention: {@code key <= query}. */
    TokenMask CAUSAL = (query, key) -> key <= query;
}
