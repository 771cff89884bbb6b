package dev.vstream.api.stream;

/** How a source frame is fitted into the target size while keeping its aspect ratio. */
public enum ResizeMode {
    /** Scale to fit inside the target and pad the rest with black: nothing of the picture is lost. */
    LETTERBOX,
    /** Scale to cover the target and cut the overflow from both sides equally. */
    CENTER_CROP
}
