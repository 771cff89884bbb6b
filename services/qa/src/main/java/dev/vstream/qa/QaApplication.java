package dev.vstream.qa;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The QA service, HTTP on 8083. This release is its skeleton: configuration, health, probes and metrics.
 * It has no question endpoint and answers nothing; the hybrid-LM decode path comes with its issue.
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
