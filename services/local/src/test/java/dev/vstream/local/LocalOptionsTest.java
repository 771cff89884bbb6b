package dev.vstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LocalOptionsTest {

    @Test
    void defaultsNeedNoFlags() {
        LocalOptions o = LocalOptions.parse(new String[] {"demo"});
        assertThat(o.verb()).isEqualTo(LocalOptions.Verb.DEMO);
        assertThat(o.dataDir()).isEqualTo(Path.of("var"));
        assertThat(o.kafkaPort()).isEqualTo(9092);
        assertThat(o.ingestPort()).isEqualTo(8081);
        assertThat(o.memoryPort()).isEqualTo(8082);
        assertThat(o.qaPort()).isEqualTo(8083);
        assertThat(o.duration()).isNull();
        assertThat(o.exitAfter()).isFalse();
    }

    @Test
    void readsEveryFlag() {
        LocalOptions o = LocalOptions.parse(new String[] {"demo", "--data", "/tmp/x", "--kafka-port", "0", "--fps", "5",
                "--seconds", "2.5", "--source", "lavfi:testsrc", "--exit"});
        assertThat(o.dataDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(o.kafkaPort()).isZero();
        assertThat(o.fps()).isEqualTo(5.0);
        assertThat(o.duration()).isEqualTo(Duration.ofMillis(2500));
        assertThat(o.source()).isEqualTo("lavfi:testsrc");
        assertThat(o.exitAfter()).isTrue();
    }

    @Test
    void noVerbMeansHelp() {
        assertThat(LocalOptions.parse(new String[0]).verb()).isEqualTo(LocalOptions.Verb.HELP);
    }

    @Test
    void rejectsBadInputWithTheFlagName() {
        assertThatThrownBy(() -> LocalOptions.parse(new String[] {"fly"})).hasMessageContaining("unknown verb 'fly'");
        assertThatThrownBy(() -> LocalOptions.parse(new String[] {"demo", "--kafka-port", "x"})).hasMessageContaining("--kafka-port");
        assertThatThrownBy(() -> LocalOptions.parse(new String[] {"demo", "--fps", "-1"})).hasMessageContaining("--fps must be positive");
        assertThatThrownBy(() -> LocalOptions.parse(new String[] {"demo", "--data"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> LocalOptions.parse(new String[] {"demo", "--bogus", "1"})).hasMessageContaining("unknown option --bogus");
    }
}
