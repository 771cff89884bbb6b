package dev.vstream.local;

import dev.vstream.api.topic.TopicProvisioner;
import dev.vstream.api.topic.Topics;
import dev.vstream.broker.BrokerConfig;
import dev.vstream.broker.KafkaBroker;
import dev.vstream.ingest.IngestApplication;
import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.memory.MemoryApplication;
import dev.vstream.memory.context.ContextStore;
import dev.vstream.memory.context.MemoryContexts;
import dev.vstream.model.demo.DemoVisionEncoder;
import dev.vstream.qa.QaApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole system in one process: a real KRaft broker (child JVM), the topics, and each service as its own
 * Spring application context on its own port, exactly as they run when deployed apart. Closing stops them
 * in reverse order and then the broker.
 */
final class LocalStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);
    /** Width of the visual tokens of a real vision encoder (CLIP ViT-L/14) the demo projector takes. */
    private static final int DEFAULT_VISION_WIDTH = 1024;

    private final KafkaBroker broker;
    private final Deque<ConfigurableApplicationContext> services = new ArrayDeque<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final LocalOptions options;
    private LanguageModelHost sharedModel;
    private boolean closed;

    private LocalStack(KafkaBroker broker, LocalOptions options) {
        this.broker = broker;
        this.options = options;
    }

    /** Broker, topics and every service. */
    static LocalStack start(LocalOptions options) {
        return start(options, true);
    }

    /** Only the broker and the topics, for external producers and services run elsewhere. */
    static LocalStack startBroker(LocalOptions options) {
        return start(options, false);
    }

    private static LocalStack start(LocalOptions options, boolean withServices) {
        Path kafkaDir = options.dataDir().resolve("kafka");
        log.info("Starting Kafka {} broker (KRaft) in {}", kafkaVersion(), kafkaDir);
        // This stack's own shutdown hook stops the broker, after the services that are its clients.
        KafkaBroker broker = KafkaBroker.start(new BrokerConfig(kafkaDir, options.kafkaPort(), 0, 768,
                Duration.ofSeconds(120), false, false));
        LocalStack stack = new LocalStack(broker, options);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(stack::close));
        try {
            TopicProvisioner.Outcome topics = TopicProvisioner.ensure(broker.bootstrapServers(), Topics.ALL);
            log.info("Kafka ready at {}: topics created {}, existing {}", broker.bootstrapServers(), topics.created(), topics.existing());
            if (!withServices) {
                return stack;
            }
            stack.startService("ingest", IngestApplication.class, options.ingestPort(), Map.of(), Map.of());
            Map<String, Object> memory = new LinkedHashMap<>(Map.of(
                    "vstream.memory.state-dir", options.dataDir().resolve("memory-state").toString(),
                    // One instance that restarts often: as a static group member it takes its partitions back at
                    // once instead of waiting in REBALANCING for its previous incarnation's session to expire.
                    "spring.kafka.streams.properties.group.instance.id", "vstream-memory-local",
                    "spring.kafka.streams.properties.session.timeout.ms", 10000));
            Path qaModelDir = System.getenv("VSTREAM_QA_MODEL_DIR") == null ? null
                    : Path.of(System.getenv("VSTREAM_QA_MODEL_DIR"));
            int demoVisionWidth = DEFAULT_VISION_WIDTH;
            if (System.getenv("VSTREAM_MEMORY_MODEL_DIR") == null) {
                // No vision encoder given: a generated, untrained one, so frames still become memory and questions
                // get answers end to end; qa's demo projector then takes its width. With a real encoder (e.g. CLIP
                // ViT-L/14, 1024 wide) qa's demo projector keeps its default width.
                Path vision = DemoVisionEncoder.ensure(options.dataDir().resolve("models").resolve("demo-vision"));
                memory.put("vstream.memory.model-dir", vision.toString());
                demoVisionWidth = DemoVisionEncoder.HIDDEN;
                log.warn("No VSTREAM_MEMORY_MODEL_DIR: memory uses the generated, untrained demo vision encoder in {}",
                        vision);
            }
            // One language model for both services, as one process: memory prefills contexts with it, qa decodes
            // from them, and the contexts are handed over in memory. Without VSTREAM_QA_MODEL_DIR it is the
            // generated, untrained demo model (both services say so).
            LanguageModelHost model = LanguageModelHost.load(qaModelDir,
                    options.dataDir().resolve("models").resolve("demo"), demoVisionWidth, 0);
            stack.sharedModel = model;
            ConfigurableApplicationContext memoryContext = stack.startService("memory", MemoryApplication.class,
                    options.memoryPort(), memory, Map.of("sharedLanguageModelHost", model));
            ContextStore contexts = memoryContext.getBean(MemoryContexts.class).store();
            stack.startService("qa", QaApplication.class, options.qaPort(), Map.of(),
                    Map.of("sharedLanguageModelHost", model, "inProcessContextSource", contexts));
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    String ingestUrl() {
        return url("ingest");
    }

    String memoryUrl() {
        return url("memory");
    }

    String qaUrl() {
        return url("qa");
    }

    private String url(String service) {
        Integer port = ports.get(service);
        if (port == null) {
            throw new IllegalStateException(service + " is not running in this stack");
        }
        return "http://localhost:" + port;
    }

    /**
     * @param shared beans of this process the service takes instead of making its own (the model, the contexts)
     */
    private ConfigurableApplicationContext startService(String name, Class<?> application, int port,
                                                        Map<String, Object> extra, Map<String, Object> shared) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.config.name", name);
        properties.put("server.port", port);
        properties.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
        properties.putAll(extra);
        properties.put("spring.main.banner-mode", "off"); // one process, one log: see logback.xml
        long start = System.nanoTime();
        // Passed as command-line arguments: they outrank the service's own yaml, default properties do not.
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
                .initializers(c -> shared.forEach(c.getBeanFactory()::registerSingleton))
                .logStartupInfo(false)
                .registerShutdownHook(false) // this stack's own hook stops services before the broker
                .run(args);
        services.push(context);
        // port 0 asks for a free port: the one actually bound is what clients need
        int bound = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        ports.put(name, bound);
        log.info("Service {} up on http://localhost:{} in {} ms", name, bound, (System.nanoTime() - start) / 1_000_000);
        return context;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!services.isEmpty()) {
            ConfigurableApplicationContext context = services.pop();
            try {
                context.close();
            } catch (RuntimeException e) {
                log.warn("Stopping {} failed: {}", context.getId(), e.toString());
            }
        }
        if (sharedModel != null) {
            sharedModel.close();
        }
        broker.close();
        log.info("Local stack stopped");
    }

    private static String kafkaVersion() {
        return org.apache.kafka.common.utils.AppInfoParser.getVersion();
    }
}
