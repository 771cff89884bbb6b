package dev.vstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.ingest.ffmpeg.Ffmpeg;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class IngestPropertiesTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(IngestProperties.class)
    static class Config {
    }

    @Test
    void defaultsBindWithoutAnySetting() {
        runner.run(context -> {
            IngestProperties p = context.getBean(IngestProperties.class);
            assertThat(p.maxStreams()).isEqualTo(16);
            assertThat(p.queueCapacity()).isEqualTo(16);
            assertThat(p.sourceTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(p.reconnectBackoffInitial()).isEqualTo(Duration.ofMillis(500));
            assertThat(p.reconnectBackoffMax()).isEqualTo(Duration.ofSeconds(30));
            assertThat(p.stopTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(p.producerLinger()).isEqualTo(Duration.ofMillis(5));
            assertThat(p.createTopics()).isTrue();
            assertThat(p.ffmpegLogLevel()).isEqualTo(Ffmpeg.LogLevel.FATAL);
        });
    }

    @Test
    void bindsKebabCaseKeys() {
        runner.withPropertyValues("vstream.ingest.max-streams=3", "vstream.ingest.queue-capacity=64",
                "vstream.ingest.source-timeout=2s", "vstream.ingest.reconnect-backoff-initial=1s",
                "vstream.ingest.reconnect-backoff-max=1m", "vstream.ingest.producer-linger=20ms", "vstream.ingest.ffmpeg-log-level=error",
                "vstream.ingest.create-topics=false").run(context -> {
                    IngestProperties p = context.getBean(IngestProperties.class);
                    assertThat(p.maxStreams()).isEqualTo(3);
                    assertThat(p.queueCapacity()).isEqualTo(64);
                    assertThat(p.sourceTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(p.reconnectBackoffMax()).isEqualTo(Duration.ofMinutes(1));
                    assertThat(p.producerLinger()).isEqualTo(Duration.ofMillis(20));
                    assertThat(p.ffmpegLogLevel()).isEqualTo(Ffmpeg.LogLevel.ERROR);
                    assertThat(p.createTopics()).isFalse();
                });
    }

    @Test
    void bindsTheDocumentedEnvironmentVariables() {
        Map<String, Object> env = Map.of("VSTREAM_INGEST_MAX_STREAMS", "7", "VSTREAM_INGEST_QUEUE_CAPACITY", "9",
                "VSTREAM_INGEST_SOURCE_TIMEOUT", "3s", "VSTREAM_INGEST_RECONNECT_BACKOFF_INITIAL", "250ms",
                "VSTREAM_INGEST_RECONNECT_BACKOFF_MAX", "5s", "VSTREAM_INGEST_STOP_TIMEOUT", "4s",
                "VSTREAM_INGEST_PRODUCER_LINGER", "1ms", "VSTREAM_INGEST_CREATE_TOPICS", "false",
                "VSTREAM_INGEST_FFMPEG_LOG_LEVEL", "warning");
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env))).run(context -> {
                    IngestProperties p = context.getBean(IngestProperties.class);
                    assertThat(p).isEqualTo(new IngestProperties(7, 9, Duration.ofSeconds(3), Duration.ofMillis(250), Duration.ofSeconds(5),
                            Duration.ofSeconds(4), Duration.ofMillis(1), false, Ffmpeg.LogLevel.WARNING));
                });
    }

    @Test
    void rejectsOutOfRangeValuesNamingTheProperty() {
        assertInvalid("maxStreams", "vstream.ingest.max-streams=0");
        assertInvalid("queueCapacity", "vstream.ingest.queue-capacity=100000");
        assertInvalid("sourceTimeout", "vstream.ingest.source-timeout=10ms");
        assertInvalid("reconnectBackoffInitial", "vstream.ingest.reconnect-backoff-initial=0s");
        assertInvalid("backoffOrdered", "vstream.ingest.reconnect-backoff-initial=1m", "vstream.ingest.reconnect-backoff-max=10s");
        assertInvalid("producerLinger", "vstream.ingest.producer-linger=2m");
        assertInvalid("vstream.ingest.ffmpeg-log-level", "vstream.ingest.ffmpeg-log-level=chatty");
    }

    private void assertInvalid(String property, String... values) {
        runner.withPropertyValues(values).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining(property);
        });
    }
}
