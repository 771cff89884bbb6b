package dev.vstream.qa;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The QA service, HTTP on 8083: answers questions about a stream from its newest memory snapshot (read from
 * vstream.memory) with the hybrid language model, over REST, an OpenAI-compatible chat endpoint, and Kafka.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class QaApplication {
    /**
     * The service reads qa.yaml, not application.yaml, so that it keeps its own settings when the local
     * launcher runs all services in one JVM (each with spring.config.name set to its name).
     */
    public static final String CONFIG_NAME = "spring.config.name=qa";

    public static void main(String[] args) {
        new SpringApplicationBuilder(QaApplication.class).properties(CONFIG_NAME).run(args);
    }
}
