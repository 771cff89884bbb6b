package dev.vstream.api.frame;

import java.util.Arrays;

/**
 * One sampled video frame on topic {@code vstream.frames}; the record key is {@link #streamId()}.
 *
 * @param streamId   stream the frame belongs to (also the Kafka key)
 * @param sequence   0-based position among the frames published for this stream, gap-free per source run
 * @param ptsMicros  presentation time in microseconds from the start of the source
 * @param width      pixel width of the encoded image
 * @param height     pixel height of the encoded image
 * @param encoding   payload encoding
 * @param payload    encoded image bytes (copied on construction; do not mutate the accessor's array)
 */
public record FrameRecord(String streamId, long sequence, long ptsMicros, int width, int height,
                          FrameEncoding encoding, byte[] payload) {

    public static final int MAX_DIMENSION = 16_384;
    /** Bounded so one record always fits the topic's max.message.bytes with the header. */
    public static final int MAX_PAYLOAD_BYTES = 16 * 1024 * 1024 - 1024;

    public FrameRecord {
        StreamId.require(streamId);
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, got " + sequence);
        }
        if (ptsMicros < 0) {
            throw new IllegalArgumentException("ptsMicros must be >= 0, got " + ptsMicros);
        }
        if (width < 1 || width > MAX_DIMENSION || height < 1 || height > MAX_DIMENSION) {
            throw new IllegalArgumentException("frame size must be within 1.." + MAX_DIMENSION + ", got " + width + "x" + height);
        }
        if (encoding == null) {
            throw new IllegalArgumentException("encoding is required");
        }
        if (payload == null || payload.length == 0) {
            throw new IllegalArgumentException("payload is empty");
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD_BYTES);
        }
        payload = payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FrameRecord f && sequence == f.sequence && ptsMicros == f.ptsMicros && width == f.width
                && height == f.height && streamId.equals(f.streamId) && encoding == f.encoding
                && Arrays.equals(payload, f.payload);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * streamId.hashCode() + Long.hashCode(sequence)) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "FrameRecord[" + streamId + " #" + sequence + " pts=" + ptsMicros + "us " + width + "x" + height + " "
                + encoding + " " + payload.length + "B]";
    }
}
