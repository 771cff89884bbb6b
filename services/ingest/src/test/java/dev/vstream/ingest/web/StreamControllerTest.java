package dev.vstream.ingest.web;

import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.vstream.api.frame.FrameRecord;
import dev.vstream.ingest.TestVideos;
import dev.vstream.ingest.ffmpeg.Ffmpeg;
import dev.vstream.ingest.publish.FramePublisher;
import dev.vstream.ingest.stream.StreamRegistry;
import dev.vstream.ingest.stream.StreamSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/** The REST contract and its problem details, over a real registry whose frames are never acknowledged. */
class StreamControllerTest {
    /** Holds every frame unacknowledged, so a registered stream stays active until deleted. */
    private static final FramePublisher NEVER_ACKS = (FrameRecord frame, Consumer<Exception> onCompletion) -> { };
    private StreamRegistry registry;
    private MockMvc mvc;
    private String clip;

    @BeforeEach
    void setUp() throws Exception {
        Ffmpeg.Natives natives = Ffmpeg.load(Ffmpeg.LogLevel.FATAL);
        clip = TestVideos.sample(160, 120, 10, Duration.ofSeconds(1)).toString();
        registry = new StreamRegistry(new StreamSettings(4, 2, Duration.ofSeconds(2), Duration.ofMillis(10), Duration.ofMillis(10),
                Duration.ofMillis(200), natives.devicesProblem()), NEVER_ACKS, new SimpleMeterRegistry());
        mvc = MockMvcBuilders.standaloneSetup(new StreamController(registry)).setControllerAdvice(new ProblemDetailsAdvice()).build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        registry.close();
    }

    private ResultActions register(String json) throws Exception {
        return mvc.perform(post("/v1/streams").contentType(MediaType.APPLICATION_JSON).content(json));
    }

    private static void badRequest(ResultActions result, String detail) throws Exception {
        result.andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.detail").value(detail));
    }

    @Test
    void registersAStreamWithDefaultsAndReturnsItsLocation() throws Exception {
        register("{\"id\":\"cam-1\",\"source\":\"" + clip + "\"}")
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", endsWith("/v1/streams/cam-1")))
                .andExpect(jsonPath("$.id").value("cam-1"))
                .andExpect(jsonPath("$.source").value(clip))
                .andExpect(jsonPath("$.lastPtsMicros").value(-1));
        mvc.perform(get("/v1/streams/cam-1")).andExpect(status().isOk()).andExpect(jsonPath("$.id").value("cam-1"));
        mvc.perform(get("/v1/streams")).andExpect(status().isOk()).andExpect(jsonPath("$[0].id").value("cam-1"));
    }

    @Test
    void anInvalidRegistrationIsABadRequestNamingTheRule() throws Exception {
        badRequest(register("{\"id\":\"bad id\",\"source\":\"x.mp4\"}"),
                "stream id must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}, got 'bad id'");
        badRequest(register("{\"id\":\"a\",\"source\":\"x.mp4\",\"targetFps\":0}"), "targetFps must be in (0, 60.0], got 0.0");
        badRequest(register("{\"id\":\"a\",\"source\":\"x.mp4\",\"jpegQuality\":101}"), "jpegQuality must be in 1..100, got 101");
        badRequest(register("{\"id\":\"a\",\"source\":\"x.mp4\",\"width\":8}"), "target size must be within 16..16384, got 8x224");
        badRequest(register("{\"id\":\"a\"}"), "source is required");
        badRequest(register("{\"id\":\"a\",\"source\":\"ftp://host/x.mp4\"}"), "unsupported source scheme 'ftp:'; use a file path, "
                + "file:, rtsp://, rtmp://, http(s):// (HLS included), v4l2:/dev/videoN or lavfi:<filter graph>");
        register("{\"id\":\"a\",\"source\":\"x.mp4\",\"resize\":\"STRETCH\"}").andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Malformed request body"))
                .andExpect(jsonPath("$.detail").value(containsString("STRETCH")));
        register("{\"id\":").andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(containsString("malformed request body")));
        mvc.perform(post("/v1/streams").contentType(MediaType.TEXT_PLAIN).content("a"))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    }

    @Test
    void anActiveIdIsAConflict() throws Exception {
        register("{\"id\":\"twice\",\"source\":\"" + clip + "\"}").andExpect(status().isCreated());
        register("{\"id\":\"twice\",\"source\":\"" + clip + "\"}")
                .andExpect(status().isConflict())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(containsString("'twice' is already active")));
    }

    @Test
    void unknownStreamsAreNotFoundAndDeleteReturnsTheFinalStatus() throws Exception {
        mvc.perform(get("/v1/streams/nope")).andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value("no stream with id 'nope'"));
        mvc.perform(delete("/v1/streams/nope")).andExpect(status().isNotFound());

        register("{\"id\":\"gone\",\"source\":\"" + clip + "\"}").andExpect(status().isCreated());
        mvc.perform(delete("/v1/streams/gone")).andExpect(status().isOk())
                .andExpect(jsonPath("$.id").value("gone"))
                .andExpect(jsonPath("$.state").value("STOPPED"));
        mvc.perform(get("/v1/streams/gone")).andExpect(status().isNotFound());
    }

    @Test
    void capacityIsServiceUnavailable() throws Exception {
        for (int i = 0; i < 4; i++) {
            register("{\"id\":\"s" + i + "\",\"source\":\"" + clip + "\"}").andExpect(status().isCreated());
        }
        register("{\"id\":\"s4\",\"source\":\"" + clip + "\"}").andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.detail").value(containsString("maximum of 4 active streams")));
    }
}
