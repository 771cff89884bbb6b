package dev.vstream.context.prefill;

import java.util.Arrays;
import java.util.Objects;

/**
 * The long window: the newest frames of a stream at the memory's spatial resolution, which a context reads after
 * the published memory (PromptLayout part {@value #PART}). The memory service takes it from its live memory (the
 * frames it keeps for retrieval) and never publishes it: a few hundred full-resolution frames are far larger than
 * a MemorySnapshot may be, so only the memory service's own contexts hold it, and a QA fallback prefill (from the
 * snapshot) reads the memory without it.
 *
 * @param frames           each frame's visual tokens {@code (tokensPerFrame, channels)}, oldest first; shared, never
 *                         written (the memory hands out arrays it does not write again)
 * @param timestampsMicros each frame's presentation time
 */
public record MemoryWindow(float[][] frames, long[] timestampsMicros, int tokensPerFrame, int channels) {

    /** The prompt layout's part name of the window's tokens. */
    public static final String PART = "window";

    /** No window. */
    public static final MemoryWindow NONE = new MemoryWindow(new float[0][], new long[0], 1, 1);

    public MemoryWindow {
        Objects.requireNonNull(frames, "frames");
        if (frames.length != timestampsMicros.length || tokensPerFrame < 1 || channels < 1) {
            throw new IllegalArgumentException("memory window of " + frames.length + " frames, "
                    + timestampsMicros.length + " timestamps, " + tokensPerFrame + " tokens x " + channels
                    + " channels per frame");
        }
        for (float[] frame : frames) {
            if (frame == null || frame.length < tokensPerFrame * channels) {
                throw new IllegalArgumentException("a window frame holds " + (frame == null ? 0 : frame.length)
                        + " values, not " + tokensPerFrame + " x " + channels);
            }
        }
        frames = frames.clone();
        timestampsMicros = timestampsMicros.clone();
    }

    /** Visual tokens in the window. */
    public int tokens() {
        return frames.length * tokensPerFrame;
    }

    @Override
    public float[][] frames() {
        return frames.clone();
    }

    float[] frame(int i) {
        return frames[i];
    }

    @Override
    public long[] timestampsMicros() {
        return timestampsMicros.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryWindow w && tokensPerFrame == w.tokensPerFrame && channels == w.channels
                && Arrays.equals(timestampsMicros, w.timestampsMicros) && Arrays.deepEquals(frames, w.frames);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(timestampsMicros) + tokensPerFrame;
    }

    @Override
    public String toString() {
        return "MemoryWindow[" + frames.length + " frames x " + tokensPerFrame + " tokens x " + channels + "]";
    }
}
