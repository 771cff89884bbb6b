package dev.vstream.qa;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The QA service, HTTP on 8083. This release is its skeleton: configuration, health, probes and metrics.
 * It has no question endpoint and answers nothing; the hybrid-LM decode path comes with its issue.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class QaApplication {

    public static void main(String[] args) {
        SpringApplication.run(QaApplication.class, args);
    }
}
