package dev.vstream.memory.snapshot;

import java.util.Arrays;
import java.util.Objects;

/**
 * The core of one stream's memory as the memory store keeps it, keyed by stream id: the newest frame's times and
 * the memory's own versioned core bytes ({@link dev.vstream.memory.star.StarMemory#coreBytes()}: everything but the
 * buffered frames, which have an entry each, see {@link StreamMemoryFrames}). The frame count is inside the state;
 * the snapshot's version is that count. A store written by an older release holds the whole state
 * ({@link dev.vstream.memory.star.StarMemory#toBytes()}) here instead, which is still read.
 *
 * @param newestPtsMicros   presentation time of the newest frame taken in
 * @param newestWallClockMs Kafka timestamp of the newest frame taken in
 * @param state             the STAR memory's core bytes (or, from an older release, its whole state)
 */
public record StreamMemory(long newestPtsMicros, long newestWallClockMs, byte[] state) {

    public StreamMemory {
        Objects.requireNonNull(state, "state");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StreamMemory o && newestPtsMicros == o.newestPtsMicros
                && newestWallClockMs == o.newestWallClockMs && Arrays.equals(state, o.state);
    }

    @Override
    public int hashCode() {
        return Objects.hash(newestPtsMicros, newestWallClockMs, Arrays.hashCode(state));
    }

    @Override
    public String toString() {
        return "StreamMemory[pts " + newestPtsMicros + " us, " + state.length + " state bytes]";
    }
}
