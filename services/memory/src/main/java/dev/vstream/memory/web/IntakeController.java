package dev.vstream.memory.web;

import dev.vstream.api.frame.StreamId;
import dev.vstream.memory.streams.FrameIntakeQuery;
import dev.vstream.memory.streams.FrameIntakeQuery.Lookup;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/** Per-stream intake state, read from the Kafka Streams store; errors are RFC 9457 problem details. */
@RestController
class IntakeController {
    private static final String RETRY_AFTER_SECONDS = "2";

    private final FrameIntakeQuery query;

    IntakeController(FrameIntakeQuery query) {
        this.query = query;
    }

    @GetMapping("/v1/streams/{id}/intake")
    ResponseEntity<IntakeView> intake(@PathVariable String id, UriComponentsBuilder uri) {
        if (!StreamId.isValid(id)) {
            throw problem(HttpStatus.BAD_REQUEST, "Invalid stream id",
                    "stream ids match [A-Za-z0-9][A-Za-z0-9._-]{0,127}", id);
        }
        return switch (query.lookup(id)) {
            case Lookup.Found found -> ResponseEntity.ok(IntakeView.of(id, found.intake()));
            case Lookup.Unknown unknown -> throw problem(HttpStatus.NOT_FOUND, "Unknown stream",
                    "no frame of stream '" + id + "' has been taken in", id);
            case Lookup.OwnedElsewhere owner -> ResponseEntity.status(HttpStatus.TEMPORARY_REDIRECT)
                    .location(uri.cloneBuilder().host(owner.host()).port(owner.port())
                            .path("/v1/streams/{id}/intake").buildAndExpand(id).toUri())
                    .build();
            case Lookup.Unavailable unavailable -> {
                ErrorResponseException e = problem(HttpStatus.SERVICE_UNAVAILABLE, "Intake state unavailable",
                        unavailable.why(), id);
                e.getHeaders().set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
                throw e;
            }
        };
    }

    private static ErrorResponseException problem(HttpStatus status, String title, String detail, String streamId) {
        return Problems.of(status, title, detail, "/v1", streamId, "intake");
    }
}
