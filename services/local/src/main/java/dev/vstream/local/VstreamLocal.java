package dev.vstream.local;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;

/** The local launcher's command line: {@code vstream demo | broker | sample | help}. */
public final class VstreamLocal {
    private VstreamLocal() {
    }

    public static void main(String[] args) throws Exception {
        LocalOptions options;
        try {
            options = LocalOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("vstream: " + e.getMessage());
            System.err.print(LocalOptions.USAGE);
            System.exit(2);
            return;
        }
        PrintStream out = System.out;
        switch (options.verb()) {
            case HELP -> out.print(LocalOptions.USAGE);
            case SAMPLE -> out.println("Sample video: " + SampleStream.ensure(options.dataDir()));
            case BROKER -> {
                try (LocalStack broker = LocalStack.startBroker(options)) {
                    out.println("Kafka broker at " + broker.bootstrapServers() + "; Ctrl-C to stop");
                    awaitShutdown();
                }
            }
            case DEMO -> demo(options, out);
        }
    }

    private static void demo(LocalOptions options, PrintStream out) throws Exception {
        Files.createDirectories(options.dataDir());
        String source = options.source() != null ? options.source() : SampleStream.ensure(options.dataDir()).toString();
        out.println("vstream local stack: Kafka broker, ingest, memory, qa (qa answers with VSTREAM_QA_MODEL_DIR, or "
                + "else with a generated, untrained demo model whose answers are not meaningful)");
        try (LocalStack stack = LocalStack.start(options)) {
            out.println("Kafka bootstrap " + stack.bootstrapServers() + ", ingest " + stack.ingestUrl() + ", memory "
                    + stack.memoryUrl() + ", qa " + stack.qaUrl());
            var status = new DemoJob(stack, out).run(source, options.fps(), options.duration());
            out.printf("Demo stream %s: %d frames published, state %s%n", status.id(), status.framesPublished(), status.state());
            if (!options.exitAfter()) {
                out.println("Serving on localhost; try: curl " + stack.ingestUrl() + "/v1/streams   (Ctrl-C to stop)");
                awaitShutdown();
            }
            if (status.state() == dev.vstream.api.stream.StreamState.FAILED) {
                System.exit(1);
            }
        }
    }

    /** Serves until the JVM is asked to stop; the stack's shutdown hook then stops everything in order. */
    private static void awaitShutdown() throws InterruptedException {
        new CountDownLatch(1).await();
    }
}
