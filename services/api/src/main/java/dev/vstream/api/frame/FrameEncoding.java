package dev.vstream.api.frame;

/** How a frame's payload is encoded. The wire carries the code, so codes are never reused. */
public enum FrameEncoding {
    JPEG((byte) 1);

    private final byte code;

    FrameEncoding(byte code) {
        this.code = code;
    }

    public byte code() {
        return code;
    }

    static FrameEncoding ofCode(byte code) throws MalformedRecordException {
        for (FrameEncoding e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        throw new MalformedRecordException("unknown encoding code " + (code & 0xff));
    }
}
