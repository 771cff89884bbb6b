package dev.vstream.qa;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Says once, at start-up, what this release of the service does and does not do. */
@Component
class StartupReport {
    private static final Logger log = LoggerFactory.getLogger(StartupReport.class);

    private final QaProperties properties;

    StartupReport(QaProperties properties) {
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    void report() {
        log.info("QA service skeleton up: model dir {} (not loaded), no question endpoint in this release", properties.modelDir());
    }
}
