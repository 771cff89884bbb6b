package dev.vstream.api.stream;

/** How fast a file source is read. Live sources always run at their own pace. */
public enum PlaybackMode {
    /** Paced by presentation time, as a camera would deliver the same video. */
    REALTIME,
    /** As fast as decoding and publishing allow (back-filling, benchmarks, tests). */
    FAST
}
