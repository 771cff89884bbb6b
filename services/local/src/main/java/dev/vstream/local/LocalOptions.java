package dev.vstream.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options of the local launcher. Every flag has a default so {@code ./vstream demo} needs none.
 *
 * @param verb        what to run
 * @param dataDir     broker data, service state and the generated sample video
 * @param kafkaPort   client port of the local broker
 * @param ingestPort  ingest REST port
 * @param memoryPort  memory REST port
 * @param qaPort      qa REST port
 * @param duration    how long the demo streams before it only keeps serving; null streams the whole sample
 * @param exitAfter   end the process after the demo instead of serving until Ctrl-C
 * @param fps         sampling rate of the demo stream
 * @param source      a video to stream instead of the bundled sample
 */
record LocalOptions(Verb verb, Path dataDir, int kafkaPort, int ingestPort, int memoryPort, int qaPort, Duration duration,
                    boolean exitAfter, double fps, String source) {

    enum Verb { DEMO, BROKER, SAMPLE, HELP }

    static final String USAGE = """
            usage: vstream <verb> [options]

            verbs:
              demo     start the local stack (Kafka broker, ingest, memory, qa), stream the bundled sample video
                       live, print progress and ask questions about it; keeps serving on localhost until Ctrl-C
              broker   start only the local Kafka broker and create the topics
              sample   generate the sample video (data dir/sample/sample.mp4) and exit
              help     this text

            options:
              --data DIR         data directory (default ./var)
              --kafka-port N     broker client port (default 9092; 0 picks a free port, as do the others)
              --ingest-port N    ingest REST port (default 8081)
              --memory-port N    memory REST port (default 8082)
              --qa-port N        qa REST port (default 8083)
              --fps F            demo sampling rate in frames/s (default 2)
              --source URL       stream this source instead of the sample (file, rtsp://, http://, lavfi:...)
              --seconds S        stop streaming after S seconds
              --exit             exit when the demo stream ends instead of serving on
            """;

    static LocalOptions parse(String[] args) {
        Verb verb = Verb.HELP;
        Path dataDir = Path.of("var");
        int kafkaPort = 9092;
        int ingestPort = 8081;
        int memoryPort = 8082;
        int qaPort = 8083;
        Duration duration = null;
        boolean exitAfter = false;
        double fps = 2.0;
        String source = null;
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && !rest.getFirst().startsWith("--")) {
            String name = rest.removeFirst();
            try {
                verb = Verb.valueOf(name.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown verb '" + name + "'");
            }
        }
        for (int i = 0; i < rest.size(); i++) {
            String flag = rest.get(i);
            if (flag.equals("--exit")) {
                exitAfter = true;
                continue;
            }
            if (i + 1 >= rest.size()) {
                throw new IllegalArgumentException("option " + flag + " needs a value");
            }
            String value = rest.get(++i);
            switch (flag) {
                case "--data" -> dataDir = Path.of(value);
                case "--kafka-port" -> kafkaPort = port(flag, value);
                case "--ingest-port" -> ingestPort = port(flag, value);
                case "--memory-port" -> memoryPort = port(flag, value);
                case "--qa-port" -> qaPort = port(flag, value);
                case "--fps" -> fps = number(flag, value);
                case "--seconds" -> duration = Duration.ofMillis((long) (number(flag, value) * 1000));
                case "--source" -> source = value;
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        return new LocalOptions(verb, dataDir, kafkaPort, ingestPort, memoryPort, qaPort, duration, exitAfter, fps, source);
    }

    private static int port(String flag, String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(flag + " must be a port number 0..65535, got '" + value + "'");
    }

    private static double number(String flag, String value) {
        try {
            double d = Double.parseDouble(value);
            if (!(d > 0)) {
                throw new IllegalArgumentException(flag + " must be positive, got " + value);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a number, got '" + value + "'");
        }
    }
}
