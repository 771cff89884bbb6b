package dev.vstream.ingest.web;

import dev.vstream.api.stream.StreamRegistration;
import dev.vstream.api.stream.StreamStatus;
import dev.vstream.ingest.stream.StreamRegistry;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/** {@code /v1/streams}: register, list, inspect and stop ingested streams. Errors are RFC 9457 problem details. */
@RestController
@RequestMapping("/v1/streams")
public class StreamController {
    private final StreamRegistry registry;

    public StreamController(StreamRegistry registry) {
        this.registry = registry;
    }

    @PostMapping
    public ResponseEntity<StreamStatus> register(@RequestBody StreamRegistration registration, UriComponentsBuilder uri) {
        StreamStatus status = registry.register(registration);
        URI location = uri.path("/v1/streams/{id}").buildAndExpand(status.id()).toUri();
        return ResponseEntity.created(location).body(status);
    }

    @GetMapping
    public List<StreamStatus> list() {
        return registry.list();
    }

    @GetMapping("/{id}")
    public StreamStatus status(@PathVariable String id) {
        return registry.status(id);
    }

    @DeleteMapping("/{id}")
    public StreamStatus stop(@PathVariable String id) throws InterruptedException {
        return registry.stop(id);
    }
}
