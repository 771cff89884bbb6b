package dev.vstream.qa.context;

import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.context.source.ContextSource;
import dev.vstream.context.wire.ContextTag;
import dev.vstream.context.wire.MalformedContextException;
import dev.vstream.context.wire.PrefilledContextCodec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Fetches contexts from the memory service over its internal endpoint, {@code GET
 * /internal/v1/streams/{id}/context?max-version=N}: any instance answers, redirecting (307) to the one that owns
 * the stream, which the client follows. Held contexts go in If-None-Match, so an unchanged context is not sent
 * again (304).
 */
public final class HttpContextSource implements ContextSource {
    private final URI base;
    private final HttpClient client;
    private final Duration timeout;
    private final long maxBytes;

    /**
     * @param base     the memory service, e.g. {@code http://memory:8082}
     * @param timeout  how long one fetch may take, transfer included
     * @param maxBytes largest context accepted
     */
    public HttpContextSource(URI base, Duration timeout, long maxBytes) {
        this.base = base;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofMillis(Math.min(timeout.toMillis(), 1000))).build();
    }

    @Override
    public Fetch newest(String streamId, long maxVersion, Collection<PrefilledContext> held) {
        URI uri = base.resolve("/internal/v1/streams/" + URLEncoder.encode(streamId, StandardCharsets.UTF_8)
                + "/context?max-version=" + maxVersion);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", PrefilledContextCodec.MEDIA_TYPE);
        if (!held.isEmpty()) {
            request.header("If-None-Match", held.stream()
                    .map(c -> new ContextTag(c.memoryVersion(), c.newestWallClockMs()).etag())
                    .collect(Collectors.joining(", ")));
        }
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return new Fetch.Unavailable("memory service at " + base + " unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Fetch.Unavailable("interrupted");
        }
        return switch (response.statusCode()) {
            case 200 -> decode(streamId, response.body());
            case 304 -> response.headers().firstValue("ETag").flatMap(ContextTag::parse)
                    .<Fetch>map(tag -> new Fetch.AlreadyHeld(tag.memoryVersion(), tag.newestWallClockMs()))
                    .orElse(new Fetch.Unavailable("304 without an ETag from " + uri));
            case 404 -> new Fetch.NotPrefilled("memory service has no context of stream '" + streamId
                    + "' at or below version " + maxVersion);
            default -> new Fetch.Unavailable("memory service answered " + response.statusCode() + " for " + uri);
        };
    }

    private Fetch decode(String streamId, byte[] body) {
        if (body.length > maxBytes) {
            return new Fetch.Unavailable("context of " + body.length + " bytes exceeds the " + maxBytes + " accepted");
        }
        try {
            PrefilledContext context = PrefilledContextCodec.decode(body);
            if (!context.streamId().equals(streamId)) {
                return new Fetch.Unavailable("asked for stream '" + streamId + "', got '" + context.streamId() + "'");
            }
            return new Fetch.Found(context);
        } catch (MalformedContextException e) {
            return new Fetch.Unavailable("undecodable context from the memory service: " + e.getMessage());
        }
    }
}
