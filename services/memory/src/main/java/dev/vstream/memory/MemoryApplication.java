package dev.vstream.memory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The memory service: Kafka Streams over {@code vstream.frames}, per-stream state, HTTP on 8082. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class MemoryApplication {

    public static void main(String[] args) {
        SpringApplication.run(MemoryApplication.class, args);
    }
}
