package dev.vstream.ingest.source;

/** The kinds of source ingest reads; live ones reconnect after a drop, the others end. */
public enum SourceKind {
    /** A local file (path or file: URL), read to its end. */
    FILE(false, false),
    /** An FFmpeg filter graph of test sources (lavfi input device), e.g. {@code testsrc2=size=640x360:rate=30}. */
    LAVFI(false, true),
    /** A local camera through video4linux2. */
    V4L2(true, true),
    RTSP(true, false),
    RTMP(true, false),
    /** HTTP(S): progressive files and HLS playlists. */
    HTTP(true, false);

    private final boolean live;
    private final boolean inputDevice;

    SourceKind(boolean live, boolean inputDevice) {
        this.live = live;
        this.inputDevice = inputDevice;
    }

    /** Live sources run at their own pace and are reopened after a drop until the stream is stopped. */
    public boolean live() {
        return live;
    }

    /** Read through libavdevice (lavfi, v4l2) rather than a demuxer over a protocol. */
    public boolean inputDevice() {
        return inputDevice;
    }
}
