package dev.vstream.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker + controller, one node), run in a child JVM
 * from the Maven Central artifacts listed in {@code broker.classpath}. Kafka's server jars never join the
 * caller's classpath, so the services keep exactly one kafka-clients.
 *
 * <p>Start-up: write server.properties, format the log directory once (StorageTool), start
 * {@link BrokerMain}, wait for "Kafka Server started" in its log. {@link #close()} asks for a controlled
 * shutdown (SIGTERM) and waits for it.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final String STARTED_LINE = "Kafka Server started";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static KafkaBroker shared;

    private final BrokerConfig config;
    private final int port;
    private final Process process;
    private final Path logFile;
    /** Where this run's output starts in the log, which is appended to across restarts. */
    private final long logStart;
    private final Thread shutdownHook;

    private KafkaBroker(BrokerConfig config, int port, Process process, Path logFile, long logStart) {
        this.config = config;
        this.port = port;
        this.process = process;
        this.logFile = logFile;
        this.logStart = logStart;
        this.shutdownHook = config.stopOnJvmExit() ? Thread.ofPlatform().unstarted(this::stop) : null;
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /** The per-JVM broker shared by integration tests: started on first use, stopped when the JVM exits. */
    public static synchronized KafkaBroker shared() {
        if (shared == null || !shared.process.isAlive()) {
            try {
                shared = start(BrokerConfig.ephemeral(Files.createTempDirectory("vstream-kafka-")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary directory for the test broker", e);
            }
        }
        return shared;
    }

    public static KafkaBroker start(BrokerConfig config) {
        try {
            Files.createDirectories(config.dataDir());
            int port = config.port() == 0 ? freePort() : config.port();
            int controllerPort = config.controllerPort() == 0 ? freePort(port) : config.controllerPort();
            Path properties = writeServerProperties(config.dataDir(), port, controllerPort);
            Path log4j = writeLog4jConfig(config.dataDir());
            Path logFile = config.dataDir().resolve("broker.log");
            String classpath = classpath();
            if (!Files.exists(config.dataDir().resolve("logs").resolve("meta.properties"))) {
                format(config, classpath, properties, log4j, logFile);
            }
            List<String> command = javaCommand(config, classpath, log4j);
            command.add(BrokerMain.class.getName());
            command.add(Long.toString(ProcessHandle.current().pid()));
            command.add(properties.toString());
            long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
            KafkaBroker broker = new KafkaBroker(config, port, process, logFile, logStart);
            broker.awaitStarted(config.startTimeout());
            return broker;
        } catch (IOException e) {
            throw new BrokerException("cannot start the Kafka broker in " + config.dataDir() + ": " + e.getMessage(), e);
        }
    }

    /** Client bootstrap address, e.g. {@code localhost:39092}. */
    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public Path dataDir() {
        return config.dataDir();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    @Override
    public void close() {
        stop();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running or has run
            }
        }
    }

    private synchronized void stop() {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: Kafka's own hook does a controlled shutdown
            try {
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (config.deleteOnClose()) {
            deleteRecursively(config.dataDir());
        }
    }

    private void awaitStarted(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new BrokerException("the Kafka broker exited with code " + process.exitValue() + " while starting:\n" + logTail());
            }
            if (logContains(STARTED_LINE) && accepts(port)) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new BrokerException("interrupted while waiting for the Kafka broker", e);
            }
        }
        stop();
        throw new BrokerException("the Kafka broker did not start within " + timeout + ":\n" + logTail());
    }

    private boolean logContains(String text) {
        try {
            return thisRunsLog().contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private String logTail() {
        try {
            List<String> lines = thisRunsLog().lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no broker log at " + logFile + ")";
        }
    }

    private String thisRunsLog() throws IOException {
        if (!Files.exists(logFile)) {
            return "";
        }
        try (var channel = Files.newByteChannel(logFile)) {
            channel.position(logStart);
            return new String(java.nio.channels.Channels.newInputStream(channel).readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static void format(BrokerConfig config, String classpath, Path properties, Path log4j, Path logFile)
            throws IOException {
        List<String> command = javaCommand(config, classpath, log4j);
        command.addAll(List.of("kafka.tools.StorageTool", "format", "-t", randomClusterId(), "-c", properties.toString()));
        Process format = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        try {
            if (!format.waitFor(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                format.destroyForcibly();
                throw new BrokerException("formatting the KRaft log directory timed out");
            }
        } catch (InterruptedException e) {
            format.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BrokerException("interrupted while formatting the KRaft log directory", e);
        }
        if (format.exitValue() != 0) {
            throw new BrokerException("formatting the KRaft log directory failed (exit " + format.exitValue() + "), see " + logFile);
        }
    }

    private static List<String> javaCommand(BrokerConfig config, String classpath, Path log4j) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("-Xms128m");
        command.add("-Xmx" + config.heapMegabytes() + "m");
        command.add("-XX:+UseParallelGC");
        command.add("-Dlog4j2.configurationFile=" + log4j);
        command.add("-cp");
        command.add(classpath);
        return command;
    }

    /** This module's own classes (for BrokerMain) followed by Kafka's jars, as resolved at build time. */
    private static String classpath() throws IOException {
        String override = System.getenv("VSTREAM_BROKER_CLASSPATH");
        String kafkaJars;
        if (override != null && !override.isBlank()) {
            kafkaJars = override;
        } else {
            try (InputStream in = KafkaBroker.class.getResourceAsStream("broker.classpath")) {
                if (in == null) {
                    throw new BrokerException("broker.classpath is missing from vstream-broker: build the module with Maven");
                }
                kafkaJars = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
        }
        try {
            Path self = Path.of(BrokerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return self + java.io.File.pathSeparator + kafkaJars;
        } catch (URISyntaxException e) {
            throw new BrokerException("cannot locate the vstream-broker classes", e);
        }
    }

    private static Path writeServerProperties(Path dataDir, int port, int controllerPort) throws IOException {
        String properties = """
                # Written by vstream's KafkaBroker: a single KRaft node acting as broker and controller.
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@localhost:%2$d
                listeners=PLAINTEXT://localhost:%1$d,CONTROLLER://localhost:%2$d
                advertised.listeners=PLAINTEXT://localhost:%1$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                log.dirs=%3$s
                num.partitions=1
                default.replication.factor=1
                auto.create.topics.enable=false
                offsets.topic.replication.factor=1
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                group.initial.rebalance.delay.ms=0
                # Frames are up to 16 MiB; memory snapshots up to 64 MiB.
                message.max.bytes=67108864
                replica.fetch.max.bytes=67108864
                log.cleaner.dedupe.buffer.size=33554432
                """.formatted(port, controllerPort, dataDir.resolve("logs").toAbsolutePath());
        Path file = dataDir.resolve("server.properties");
        Files.writeString(file, properties);
        return file;
    }

    private static Path writeLog4jConfig(Path dataDir) throws IOException {
        String config = """
                status = warn
                appender.out.type = Console
                appender.out.name = out
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = [%d] %p %m (%c)%n
                rootLogger.level = INFO
                rootLogger.appenderRef.out.ref = out
                logger.kafka.name = kafka
                logger.kafka.level = INFO
                logger.apache.name = org.apache.kafka
                logger.apache.level = WARN
                logger.raft.name = org.apache.kafka.raft
                logger.raft.level = WARN
                logger.state.name = state.change.logger
                logger.state.level = WARN
                """;
        Path file = dataDir.resolve("log4j2.properties");
        Files.writeString(file, config);
        return file;
    }

    /** Kafka's cluster id format: 16 random bytes, URL-safe base64 without padding, not starting with '-'. */
    private static String randomClusterId() {
        SecureRandom random = new SecureRandom();
        String id;
        do {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (id.startsWith("-"));
        return id;
    }

    private static int freePort(int... taken) throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                int port = socket.getLocalPort();
                if (java.util.Arrays.stream(taken).noneMatch(t -> t == port)) {
                    return port;
                }
            }
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover temp directory is not worth failing a shutdown over
        }
    }
}
