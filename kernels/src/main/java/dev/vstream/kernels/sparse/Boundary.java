package dev.vstream.kernels.sparse;

/**
 * How a head treats modality boundaries (MMInference §2.3, §3.2).
 *
 * <ul>
 *   <li>{@link #NONE}: No-/K-Boundary heads: the query dimension is continuous, one
 *       intra-modality pattern is estimated from the last queries of the whole sequence and
 *       applied to all of it.
 *   <li>{@link #QUERY}: Q-Boundary heads (Alg. 2): queries are split by modality (gathered
 *       through per-modality slot maps, no copy); each modality runs its own pattern against
 *       all keys, estimated from the last queries of that modality's last span, so a video
 *       pattern is never applied to text rows nor a text pattern to video rows.
 *   <li>{@link #TWO_D}: 2D-Boundary heads (Alg. 3): as {@link #QUERY}, and for video queries
 *       the key dimension is split too: video keys by the video pattern (V2V), text keys
 *       gathered into dense key blocks (V2T), so the grid's phase groups never hold text.
 * </ul>
 */
public enum Boundary {
    NONE,
    QUERY,
    TWO_D
}
