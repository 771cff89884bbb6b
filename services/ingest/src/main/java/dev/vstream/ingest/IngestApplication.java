package dev.vstream.ingest;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The ingest service: video sources in, sampled JPEG frames out to Kafka topic vstream.frames; HTTP on 8081. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class IngestApplication {
    /**
     * The service reads ingest.yaml, not application.yaml, so that it keeps its own settings when the local
     * launcher runs all services in one JVM (each with spring.config.name set to its name).
     */
    public static final String CONFIG_NAME = "spring.config.name=ingest";

    public static void main(String[] args) {
        new SpringApplicationBuilder(IngestApplication.class).properties(CONFIG_NAME).run(args);
    }
}
