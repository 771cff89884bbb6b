package dev.vstream.qa.context;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.context.source.ContextSource.Fetch;
import dev.vstream.context.wire.ContextTag;
import dev.vstream.context.wire.PrefilledContextCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The QA side of the context endpoint against a plain JDK HTTP server. */
class HttpContextSourceTest {
    static final String PATH = "/internal/v1/streams/cam-h/context";

    /** A request as the server saw it. */
    record Seen(String path, String query, String ifNoneMatch, String accept) {
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    ExecutorService executor;

    @BeforeEach
    void executor() {
        executor = Executors.newCachedThreadPool(r -> Thread.ofPlatform().daemon().unstarted(r));
    }

    @AfterEach
    void stop() {
        release.countDown();
        servers.forEach(s -> s.stop(0));
        executor.shutdownNow();
    }

    /** A server on a free port answering every request with {@code answer}. */
    URI serve(Consumer<HttpExchange> answer) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                seen.add(new Seen(exchange.getRequestURI().getPath(), exchange.getRequestURI().getQuery(),
                        exchange.getRequestHeaders().getFirst("If-None-Match"),
                        exchange.getRequestHeaders().getFirst("Accept")));
                answer.accept(exchange);
            }
        });
        server.setExecutor(executor);
        server.start();
        servers.add(server);
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }

    static Consumer<HttpExchange> respond(int status, byte[] body, String... headers) {
        return exchange -> {
            try {
                for (int i = 0; i < headers.length; i += 2) {
                    exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
                }
                if (body == null) {
                    exchange.sendResponseHeaders(status, -1);
                } else {
                    exchange.sendResponseHeaders(status, body.length);
                    exchange.getResponseBody().write(body);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    static HttpContextSource source(URI base) {
        return new HttpContextSource(base, Duration.ofMillis(500), 1 << 20);
    }

    static PrefilledContext context(String stream, long version) {
        return ContextCacheTest.context(stream, version, 1_000 + version, 4);
    }

    @Test
    void aValidBodyIsFound() throws IOException {
        PrefilledContext served = context("cam-h", 3);
        byte[] body = PrefilledContextCodec.encode(served);
        URI base = serve(respond(200, body, "Content-Type", PrefilledContextCodec.MEDIA_TYPE,
                "ETag", new ContextTag(3, 1_003).etag()));

        Fetch fetch = source(base).newest("cam-h", 7, List.of());

        assertThat(fetch).isInstanceOf(Fetch.Found.class);
        PrefilledContext found = ((Fetch.Found) fetch).context();
        assertThat(PrefilledContextCodec.encode(found)).isEqualTo(body);
        assertThat(found.memoryVersion()).isEqualTo(3);
        assertThat(found.newestWallClockMs()).isEqualTo(1_003);
        assertThat(seen).singleElement().satisfies(s -> {
            assertThat(s.path()).isEqualTo(PATH);
            assertThat(s.query()).isEqualTo("max-version=7");
            assertThat(s.ifNoneMatch()).as("nothing held, nothing to match").isNull();
            assertThat(s.accept()).isEqualTo(PrefilledContextCodec.MEDIA_TYPE);
        });
    }

    @Test
    void heldContextsGoInIfNoneMatchAnd304IsAlreadyHeld() throws IOException {
        URI base = serve(respond(304, null, "ETag", new ContextTag(2, 1_002).etag()));

        Fetch fetch = source(base).newest("cam-h", 9, List.of(context("cam-h", 2), context("cam-h", 1)));

        assertThat(fetch).isEqualTo(new Fetch.AlreadyHeld(2, 1_002));
        assertThat(seen).singleElement().extracting(Seen::ifNoneMatch)
                .isEqualTo("\"v2-1002\", \"v1-1001\"");
    }

    @Test
    void a304WithoutOurETagIsUnavailable() throws IOException {
        URI base = serve(respond(304, null, "ETag", "\"abc\""));
        assertThat(source(base).newest("cam-h", 9, List.of(context("cam-h", 2))))
                .isInstanceOfSatisfying(Fetch.Unavailable.class, u -> assertThat(u.why()).contains("304"));
    }

    @Test
    void notFoundIsNotPrefilled() throws IOException {
        URI base = serve(respond(404, "{\"title\":\"No prefilled context\"}".getBytes()));
        assertThat(source(base).newest("cam-h", 4, List.of()))
                .isInstanceOfSatisfying(Fetch.NotPrefilled.class, n -> assertThat(n.why()).contains("cam-h"));
    }

    @Test
    void aRedirectToTheOwnerIsFollowed() throws IOException {
        byte[] body = PrefilledContextCodec.encode(context("cam-h", 5));
        URI owner = serve(respond(200, body));
        URI other = serve(respond(307, null, "Location", owner + PATH + "?max-version=5"));

        Fetch fetch = source(other).newest("cam-h", 5, List.of());

        assertThat(fetch).isInstanceOfSatisfying(Fetch.Found.class,
                f -> assertThat(PrefilledContextCodec.encode(f.context())).isEqualTo(body));
        assertThat(seen).hasSize(2);
        assertThat(seen).allSatisfy(s -> assertThat(s.path()).isEqualTo(PATH));
    }

    @Test
    void badAnswersAreUnavailableWithAReason() throws IOException {
        byte[] valid = PrefilledContextCodec.encode(context("cam-h", 1));
        byte[] corrupt = valid.clone();
        corrupt[20] ^= 1;
        assertThat(source(serve(respond(200, "not a context".getBytes()))).newest("cam-h", 1, List.of()))
                .isInstanceOfSatisfying(Fetch.Unavailable.class, u -> assertThat(u.why()).contains("undecodable"));
        assertThat(source(serve(respond(200, corrupt))).newest("cam-h", 1, List.of()))
                .isInstanceOfSatisfying(Fetch.Unavailable.class, u -> assertThat(u.why()).contains("checksum"));
        assertThat(source(serve(respond(200, PrefilledContextCodec.encode(context("cam-x", 1)))))
                .newest("cam-h", 1, List.of()))
                .isInstanceOfSatisfying(Fetch.Unavailable.class, u -> assertThat(u.why()).contains("cam-x"));
        assertThat(source(serve(respond(500, "boom".getBytes()))).newest("cam-h", 1, List.of()))
                .isInstanceOfSatisfying(Fetch.Unavailable.class, u -> assertThat(u.why()).contains("500"));
        assertThat(source(serve(respond(503, null, "Retry-After", "2"))).newest("cam-h", 1, List.of()))
                .isInstanceOfSatisfying(Fetch.Unavailable.class, u -> assertThat(u.why()).contains("503"));
        HttpContextSource small = new HttpContextSource(serve(respond(200, valid)), Duration.ofSeconds(2), 10);
        assertThat(small.newest("cam-h", 1, List.of()))
                .isInstanceOfSatisfying(Fetch.Unavailable.class, u -> assertThat(u.why()).contains("exceeds"));
    }

    @Test
    void aClosedPortIsUnavailable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Fetch fetch = source(URI.create("http://localhost:" + port)).newest("cam-h", 1, List.of());
        assertThat(fetch).isInstanceOfSatisfying(Fetch.Unavailable.class,
                u -> assertThat(u.why()).contains("unreachable"));
    }

    @Test
    void aServerThatHangsIsUnavailableWithinTheTimeout() throws IOException {
        URI base = serve(exchange -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long start = System.nanoTime();
        Fetch fetch = new HttpContextSource(base, Duration.ofMillis(300), 1 << 20).newest("cam-h", 1, List.of());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(fetch).isInstanceOfSatisfying(Fetch.Unavailable.class,
                u -> assertThat(u.why()).containsIgnoringCase("timed out"));
        assertThat(millis).isBetween(250L, 2_000L);
    }
}
