package dev.vstream.qa.web;

import dev.vstream.qa.QaProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * What every {@code /v1} request passes before a controller: the optional API key ({@code X-API-Key} or
 * {@code Authorization: Bearer}, compared in constant time; 401 problem otherwise) and the request size limit
 * (413 from the declared length, or as soon as a chunked body grows past it). Probes and metrics stay open.
 */
@Configuration(proxyBeanMethods = false)
class RequestGuards {

    @Bean
    OncePerRequestFilter apiGuard(QaProperties properties) {
        byte[] key = properties.apiKey() == null ? null : properties.apiKey().getBytes(StandardCharsets.UTF_8);
        long max = properties.maxRequestSize().toBytes();
        return new OncePerRequestFilter() {
            @Override
            protected boolean shouldNotFilter(HttpServletRequest request) {
                return !request.getRequestURI().startsWith("/v1/");
            }

            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                if (key != null && !authorized(request, key)) {
                    response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
                    write(response, 401, "unauthorized", "Unauthorized",
                            "this service needs an API key in X-API-Key or Authorization: Bearer");
                    return;
                }
                long length = request.getContentLengthLong();
                if (length > max) {
                    write(response, 413, "request-too-large", "Request too large",
                            "request body of " + length + " bytes, at most " + max);
                    return;
                }
                chain.doFilter(length < 0 ? new Limited(request, max) : request, response);
            }
        };
    }

    private static boolean authorized(HttpServletRequest request, byte[] key) {
        String given = request.getHeader("X-API-Key");
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (given == null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = authorization.substring(7).trim();
        }
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), key);
    }

    private static void write(HttpServletResponse response, int status, String type, String title, String detail)
            throws IOException {
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write("{\"type\":\"" + Problems.TYPE_BASE + type + "\",\"title\":\"" + title
                + "\",\"status\":" + status + ",\"detail\":\"" + detail.replace("\"", "'") + "\"}");
    }

    /** A body of unknown length that fails once it exceeds the limit. */
    private static final class Limited extends HttpServletRequestWrapper {
        private final long max;

        Limited(HttpServletRequest request, long max) {
            super(request);
            this.max = max;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream in = super.getInputStream();
            return new ServletInputStream() {
                private long read;

                @Override
                public int read() throws IOException {
                    int b = in.read();
                    if (b >= 0) {
                        count(1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = in.read(buffer, offset, length);
                    if (n > 0) {
                        count(n);
                    }
                    return n;
                }

                private void count(int n) throws RequestTooLargeException {
                    read += n;
                    if (read > max) {
                        throw new RequestTooLargeException("request body larger than " + max + " bytes");
                    }
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
        }
    }
}
