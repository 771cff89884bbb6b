package dev.vstream.kernels.sparse;

import java.util.Objects;

/**
 * The offline-chosen pattern of one head: a boundary mode and the intra-modality pattern of
 * each modality ({@link Boundary#NONE} uses {@code video} for the whole sequence when video is
 * present, {@code text} otherwise).
 */
public record HeadConfig(Boundary boundary, HeadPattern text, HeadPattern video) {

    public HeadConfig {
        Objects.requireNonNull(boundary, "boundary");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(video, "video");
    }

    /** Dense attention for every modality. */
    public static HeadConfig dense() {
        return new HeadConfig(Boundary.QUERY, new DensePattern(), new DensePattern());
    }

    /** Whether every modality is dense (the head then needs no estimate). */
    public boolean isDense() {
        return text instanceof DensePattern && video instanceof DensePattern;
    }
}
