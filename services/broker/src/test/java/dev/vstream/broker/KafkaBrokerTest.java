package dev.vstream.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerTest {

    @Test
    void startsServesStopsAndRestartsOnTheSameData(@TempDir Path dir) throws IOException {
        BrokerConfig config = new BrokerConfig(dir.resolve("kafka"), 0, 0, 512, Duration.ofSeconds(90), false, true);
        int port;
        try (KafkaBroker broker = KafkaBroker.start(config)) {
            assertThat(broker.isRunning()).isTrue();
            port = Integer.parseInt(broker.bootstrapServers().substring("localhost:".length()));
            assertThat(accepts(port)).isTrue();
            assertThat(dir.resolve("kafka/logs/meta.properties")).exists();
        }
        assertThat(accepts(port)).as("port closed after a controlled shutdown").isFalse();
        String firstLog = Files.readString(dir.resolve("kafka/broker.log"));
        String meta = Files.readString(dir.resolve("kafka/logs/meta.properties"));
        assertThat(meta).contains("cluster.id=");

        // A second start reuses the formatted directory instead of formatting it again.
        try (KafkaBroker again = KafkaBroker.start(config)) {
            assertThat(again.isRunning()).isTrue();
        }
        String log = Files.readString(dir.resolve("kafka/broker.log"));
        assertThat(log.length()).isGreaterThan(firstLog.length());
        assertThat(Files.readString(dir.resolve("kafka/logs/meta.properties")))
                .as("same cluster id: the directory was not formatted again").isEqualTo(meta);
    }

    @Test
    void rejectsInvalidConfig() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new BrokerConfig(Path.of("x"), 9092, 9092, 512, Duration.ofSeconds(1), true, true))
                .hasMessageContaining("ports must differ");
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("localhost", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
