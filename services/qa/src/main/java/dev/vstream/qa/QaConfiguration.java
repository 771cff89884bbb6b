package dev.vstream.qa;

import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.context.source.ContextSource;
import dev.vstream.qa.answer.AnswerEngine;
import dev.vstream.qa.context.HttpContextSource;
import dev.vstream.qa.kafka.QuestionConsumer;
import dev.vstream.qa.memory.MemoryView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The service's parts: the memory view of vstream.memory, the loaded model, the engine, their health. */
@Configuration(proxyBeanMethods = false)
class QaConfiguration {
    private static final Logger log = LoggerFactory.getLogger(QaConfiguration.class);

    @Bean(initMethod = "start", destroyMethod = "close")
    MemoryView memoryView(KafkaProperties kafka, QaProperties qa, MeterRegistry meters) {
        MemoryView view = new MemoryView(kafka.buildConsumerProperties(), qa.memoryHistory());
        Gauge.builder("vstream.qa.memory.streams", view, MemoryView::streams)
                .description("streams with a known memory").register(meters);
        return view;
    }

    /**
     * The model shared in this process (the local stack registers one for both services) or its own; contexts from
     * the memory service in this process, else over HTTP, else none (every context prefilled here).
     */
    @Bean(destroyMethod = "close")
    AnswerEngine answerEngine(QaProperties qa, MemoryView memory, ObjectProvider<LanguageModelHost> sharedModel,
                              ObjectProvider<ContextSource> sharedContexts, MeterRegistry meters) {
        LanguageModelHost shared = sharedModel.getIfAvailable();
        LanguageModelHost host = shared != null ? shared
                : LanguageModelHost.load(qa.modelDir(), qa.demoDir(), qa.demoVisionWidth(), qa.computeThreads());
        ContextSource source = sharedContexts.getIfAvailable();
        if (source == null && qa.memoryUrl() != null) {
            source = new HttpContextSource(qa.memoryUrl(), qa.contextFetchTimeout(), qa.contextCacheSize().toBytes());
        }
        if (source == null) {
            log.warn("No memory service to fetch contexts from (vstream.qa.memory-url): every context is prefilled here");
            source = (streamId, maxVersion, held) -> new ContextSource.Fetch.NotPrefilled("no memory service configured");
        }
        return new AnswerEngine(host, shared == null, memory, new AnswerEngine.Limits(qa.maxQuestionChars(),
                qa.maxTokensLimit(), qa.defaultMaxTokens(), qa.maxQueued(), qa.answerThreads(),
                qa.decodeBatch()),
                new AnswerEngine.Contexts(source, qa.contextCacheSize().toBytes(), qa.sparseMinTokens(),
                        qa.contextRetryAfter(), qa.kvPrecision()), meters);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "vstream.qa.kafka-questions",
            havingValue = "true", matchIfMissing = true)
    QuestionConsumer questionConsumer(AnswerEngine engine, KafkaProperties kafka, QaProperties qa) {
        return new QuestionConsumer(engine, kafka.buildConsumerProperties(), kafka.buildProducerProperties(),
                qa.groupId(), qa.answerTimeout());
    }

    /** DOWN with the reason when the model failed to load (every question then gets 503). */
    @Bean
    HealthIndicator languageModelHealthIndicator(AnswerEngine engine) {
        return () -> switch (engine.host()) {
            case LanguageModelHost.Loaded loaded -> Health.up().withDetail("model", loaded.name())
                    .withDetail("untrained", loaded.untrained())
                    .withDetail("vocab", loaded.vocabSize())
                    .withDetail("projector", loaded.projector().visionSize() + " -> " + loaded.projector().outputSize())
                    .build();
            case LanguageModelHost.Failed failed -> Health.down().withDetail("reason", failed.reason()).build();
        };
    }

    @Bean
    HealthIndicator memoryViewHealthIndicator(MemoryView view) {
        return () -> (view.caughtUp() ? Health.up() : Health.unknown().withDetail("state", "catching up"))
                .withDetail("streams", view.streams()).withDetail("undecodable", view.decodeFailures()).build();
    }
}
