package dev.vstream.api.frame;

/**
 * Reads a baseline/progressive JPEG's frame header (SOFn) without decoding the image, so a frame
 * record's declared size can be checked against its bytes at the cost of a few marker hops.
 */
record JpegHeader(int width, int height) {

    static JpegHeader parse(byte[] b) throws MalformedRecordException {
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
            throw new MalformedRecordException("payload is not a JPEG (no SOI marker)");
        }
        if ((b[b.length - 2] & 0xff) != 0xFF || (b[b.length - 1] & 0xff) != 0xD9) {
            throw new MalformedRecordException("JPEG is truncated (no EOI marker at the end)");
        }
        int i = 2;
        while (i + 3 < b.length) {
            if ((b[i] & 0xff) != 0xFF) {
                throw new MalformedRecordException("JPEG marker expected at byte " + i);
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xFF) { // fill byte
                i++;
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // standalone markers
                i += 2;
                continue;
            }
            int length = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            if (length < 2 || i + 2 + length > b.length) {
                throw new MalformedRecordException("JPEG segment 0x" + Integer.toHexString(marker) + " at byte " + i + " overruns the payload");
            }
            if (isStartOfFrame(marker)) {
                if (length < 7) {
                    throw new MalformedRecordException("JPEG frame header too short");
                }
                int height = ((b[i + 5] & 0xff) << 8) | (b[i + 6] & 0xff);
                int width = ((b[i + 7] & 0xff) << 8) | (b[i + 8] & 0xff);
                return new JpegHeader(width, height);
            }
            if (marker == 0xDA) {
                break; // scan data before any frame header
            }
            i += 2 + length;
        }
        throw new MalformedRecordException("JPEG has no frame header (SOF)");
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }
}
