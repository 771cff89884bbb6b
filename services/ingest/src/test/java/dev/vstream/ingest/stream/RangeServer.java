package dev.vstream.ingest.stream;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/** Serves bytes with HTTP range requests, as a CDN serves an MP4: FFmpeg seeks to the index at the end. */
final class RangeServer {
    private RangeServer() {
    }

    static void serve(HttpExchange exchange, byte[] body) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        int start = 0;
        int end = body.length - 1;
        exchange.getResponseHeaders().add("Accept-Ranges", "bytes");
        exchange.getResponseHeaders().add("Content-Type", "video/mp4");
        if (range != null && range.startsWith("bytes=")) {
            String[] bounds = range.substring("bytes=".length()).split("-", 2);
            start = Integer.parseInt(bounds[0].strip());
            if (bounds.length > 1 && !bounds[1].isBlank()) {
                end = Math.min(end, Integer.parseInt(bounds[1].strip()));
            }
            if (start > end) {
                exchange.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
                exchange.sendResponseHeaders(416, -1);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + end + "/" + body.length);
            exchange.sendResponseHeaders(206, end - start + 1);
        } else {
            exchange.sendResponseHeaders(200, body.length);
        }
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body, start, end - start + 1);
        } catch (IOException e) {
            // the client closed the connection early (FFmpeg seeking): nothing to do
        }
    }
}
