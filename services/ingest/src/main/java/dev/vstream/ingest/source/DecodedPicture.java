package dev.vstream.ingest.source;

import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * One decoded video frame, borrowed from the decoder: valid until the next {@link VideoSource#next()}.
 *
 * @param picture   the decoder's frame in its native pixel format
 * @param ptsMicros presentation time in microseconds on the source's clock, {@link #UNKNOWN_PTS} if it has none
 */
public record DecodedPicture(AVFrame picture, long ptsMicros) {
    public static final long UNKNOWN_PTS = Long.MIN_VALUE;

    public boolean hasPts() {
        return ptsMicros != UNKNOWN_PTS;
    }
}
