package dev.vstream.memory.web;

import dev.vstream.api.frame.StreamId;
import dev.vstream.context.prefill.PrefilledContext;
import dev.vstream.context.wire.ContextTag;
import dev.vstream.context.wire.PrefilledContextCodec;
import dev.vstream.memory.context.MemoryContexts;
import dev.vstream.memory.streams.FrameIntakeQuery;
import dev.vstream.memory.streams.FrameIntakeQuery.Lookup;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The internal endpoint QA instances fetch prefilled contexts from: {@code GET
 * /internal/v1/streams/{id}/context?max-version=N} answers the newest context of the stream at or below version N
 * (all versions when absent) as {@value PrefilledContextCodec#MEDIA_TYPE}. Its ETag names the version
 * ({@link ContextTag}): a client that already holds it sends it in If-None-Match and gets 304.
 * The instance that does not own the stream redirects (307) to the one that does, found through Kafka Streams'
 * interactive-query metadata (application.server).
 */
@RestController
class ContextController {
    private final MemoryContexts contexts;
    private final FrameIntakeQuery query;

    ContextController(MemoryContexts contexts, FrameIntakeQuery query) {
        this.contexts = contexts;
        this.query = query;
    }

    @GetMapping("/internal/v1/streams/{id}/context")
    ResponseEntity<byte[]> context(@PathVariable String id,
                                   @RequestParam(name = "max-version", required = false) Long maxVersion,
                                   @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch,
                                   UriComponentsBuilder uri) {
        if (!StreamId.isValid(id)) {
            throw problem(HttpStatus.BAD_REQUEST, "Invalid stream id", "stream ids match [A-Za-z0-9][A-Za-z0-9._-]{0,127}", id);
        }
        if (maxVersion != null && maxVersion < 1) {
            throw problem(HttpStatus.BAD_REQUEST, "Invalid version", "max-version must be at least 1", id);
        }
        switch (query.ownerElsewhere(id)) {
            case Lookup.OwnedElsewhere owner -> {
                return ResponseEntity.status(HttpStatus.TEMPORARY_REDIRECT)
                        .location(uri.cloneBuilder().host(owner.host()).port(owner.port())
                                .path("/internal/v1/streams/{id}/context")
                                .queryParamIfPresent("max-version", java.util.Optional.ofNullable(maxVersion))
                                .buildAndExpand(id).toUri())
                        .build();
            }
            case Lookup.Unavailable unavailable -> {
                ErrorResponseException e = problem(HttpStatus.SERVICE_UNAVAILABLE, "Context unavailable",
                        unavailable.why(), id);
                e.getHeaders().set(HttpHeaders.RETRY_AFTER, "2");
                throw e;
            }
            case null, default -> {
            }
        }
        if (contexts.disabledReason() != null) {
            throw problem(HttpStatus.SERVICE_UNAVAILABLE, "No context prefill", contexts.disabledReason(), id);
        }
        PrefilledContext context = contexts.store().newestUpTo(id, maxVersion == null ? Long.MAX_VALUE : maxVersion);
        if (context == null) {
            throw problem(HttpStatus.NOT_FOUND, "No prefilled context", "no context of stream '" + id + "'"
                    + (maxVersion == null ? "" : " at or below memory version " + maxVersion) + " is prefilled", id);
        }
        String etag = new ContextTag(context.memoryVersion(), context.newestWallClockMs()).etag();
        if (ifNoneMatch != null && java.util.Arrays.stream(ifNoneMatch.split(",")).map(String::strip)
                .anyMatch(etag::equals)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        byte[] body = PrefilledContextCodec.encode(context);
        return ResponseEntity.ok().eTag(etag).contentType(MediaType.parseMediaType(PrefilledContextCodec.MEDIA_TYPE))
                .contentLength(body.length).body(body);
    }

    private static ErrorResponseException problem(HttpStatus status, String title, String detail, String streamId) {
        return Problems.of(status, title, detail, "/internal/v1", streamId, "context");
    }
}
