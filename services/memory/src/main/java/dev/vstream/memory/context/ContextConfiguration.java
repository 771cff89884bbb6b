package dev.vstream.memory.context;

import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.memory.MemoryProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The context prefill: with the language model shared in this process (local stack), or its own, or none. */
@Configuration(proxyBeanMethods = false)
class ContextConfiguration {

    @Bean(destroyMethod = "close")
    MemoryContexts memoryContexts(MemoryProperties memory, ObjectProvider<LanguageModelHost> shared,
                                  MeterRegistry meters) {
        MemoryProperties.Context context = memory.context();
        return MemoryContexts.create(shared.getIfAvailable(), context.modelDir(), context.computeThreads(),
                new ContextRefresher.Settings(context.sparseMinTokens(), context.refreshThreads(), context.kvPrecision(),
                        context.windowFrames()), meters);
    }

    /** UP with the number of prefilled streams; UNKNOWN (not DOWN: frames and snapshots still flow) without one. */
    @Bean
    HealthIndicator contextPrefillHealthIndicator(MemoryContexts contexts) {
        return () -> contexts.disabledReason() == null
                ? Health.up().withDetail("streams", contexts.store().streams()).build()
                : Health.unknown().withDetail("disabled", contexts.disabledReason()).build();
    }
}
