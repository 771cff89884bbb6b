package dev.vstream.ingest.source;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A registration's source string, parsed: what kind it is, what FFmpeg opens and with which input format.
 *
 * @param kind     source kind
 * @param location what is shown to users: the absolute path, the URL, the device or the filter graph
 * @param url      what FFmpeg opens (files get an explicit {@code file:} so a ':' in a name is no protocol)
 * @param format   forced input format (lavfi, video4linux2), null to let FFmpeg probe
 */
public record SourceSpec(SourceKind kind, String location, String url, String format) {
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):");
    /** Network protocols an HTTP or HLS source may touch: no file:, so a playlist cannot read local files. */
    private static final String HTTP_PROTOCOLS = "http,https,tls,tcp,crypto,httpproxy";

    public SourceSpec {
        if (kind == null || location == null || location.isBlank() || url == null || url.isBlank()) {
            throw new IllegalArgumentException("kind, location and url are required");
        }
    }

    /**
     * @throws IllegalArgumentException naming the accepted forms when the scheme is not one of them
     */
    public static SourceSpec parse(String source) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("source is required");
        }
        String s = source.strip();
        var m = SCHEME.matcher(s);
        if (!m.find()) {
            return file(s);
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        String rest = s.substring(m.end());
        return switch (scheme) {
            case "file" -> fileUrl(s);
            case "lavfi" -> {
                requireNonEmpty(rest, "lavfi: needs a filter graph, e.g. lavfi:testsrc2=size=640x360:rate=30");
                yield new SourceSpec(SourceKind.LAVFI, rest, rest, "lavfi");
            }
            case "v4l2" -> {
                requireNonEmpty(rest, "v4l2: needs a device, e.g. v4l2:/dev/video0");
                if (!rest.startsWith("/dev/")) {
                    throw new IllegalArgumentException("v4l2: needs a device under /dev/, got '" + rest + "'");
                }
                yield new SourceSpec(SourceKind.V4L2, rest, rest, "video4linux2");
            }
            case "rtsp", "rtsps" -> network(SourceKind.RTSP, s);
            case "rtmp", "rtmps" -> network(SourceKind.RTMP, s);
            case "http", "https" -> network(SourceKind.HTTP, s);
            default -> throw new IllegalArgumentException("unsupported source scheme '" + scheme + ":'; use a file path, file:, rtsp://, "
                    + "rtmp://, http(s):// (HLS included), v4l2:/dev/videoN or lavfi:<filter graph>");
        };
    }

    public boolean live() {
        return kind.live();
    }

    /** The location without user info, for logs: rtsp://user:secret@cam/ becomes rtsp://***@cam/. */
    public String redacted() {
        if (kind == SourceKind.FILE || kind.inputDevice()) {
            return location;
        }
        int schemeEnd = location.indexOf("://");
        int at = location.indexOf('@');
        int pathStart = location.indexOf('/', schemeEnd + 3);
        if (schemeEnd < 0 || at < 0 || (pathStart >= 0 && at > pathStart)) {
            return location;
        }
        return location.substring(0, schemeEnd + 3) + "***" + location.substring(at);
    }

    /**
     * The demuxer and protocol options: socket timeouts so an unreachable or silent peer fails in seconds,
     * RTSP over TCP (no UDP ports to open, no losses), and a protocol whitelist for HTTP.
     */
    public Map<String, String> options(Duration ioTimeout) {
        String micros = Long.toString(Math.max(1, ioTimeout.toNanos() / 1000));
        Map<String, String> options = new LinkedHashMap<>();
        switch (kind) {
            case RTSP -> {
                options.put("rtsp_transport", "tcp");
                options.put("timeout", micros); // RTSP: socket I/O timeout in microseconds
            }
            case RTMP -> options.put("rw_timeout", micros); // not "timeout": for rtmp that means listen mode
            case HTTP -> {
                options.put("rw_timeout", micros);
                options.put("timeout", micros);
                options.put("protocol_whitelist", HTTP_PROTOCOLS);
            }
            case FILE, LAVFI, V4L2 -> {
            }
        }
        return options;
    }

    private static SourceSpec file(String path) {
        try {
            Path p = Path.of(path).toAbsolutePath().normalize();
            return new SourceSpec(SourceKind.FILE, p.toString(), "file:" + p, null);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("invalid file path '" + path + "': " + e.getReason());
        }
    }

    private static SourceSpec fileUrl(String url) {
        try {
            return file(Path.of(URI.create(url)).toString());
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new IllegalArgumentException("invalid file URL '" + url + "': use file:/absolute/path or file:///absolute/path");
        }
    }

    private static SourceSpec network(SourceKind kind, String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid URL '" + url + "': " + e.getMessage());
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new IllegalArgumentException("URL '" + url + "' has no host");
        }
        return new SourceSpec(kind, url, url, null);
    }

    private static void requireNonEmpty(String value, String message) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(message);
        }
    }
}
