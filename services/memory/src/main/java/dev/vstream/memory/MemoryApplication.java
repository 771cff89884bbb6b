package dev.vstream.memory;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The memory service: Kafka Streams over {@code vstream.frames}, per-stream state, HTTP on 8082. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class MemoryApplication {
    /**
     * The service reads memory.yaml, not application.yaml, so that it keeps its own settings when the local
     * launcher runs all services in one JVM (each with spring.config.name set to its name).
     */
    public static final String CONFIG_NAME = "spring.config.name=memory";

    public static void main(String[] args) {
        new SpringApplicationBuilder(MemoryApplication.class).properties(CONFIG_NAME).run(args);
    }
}
