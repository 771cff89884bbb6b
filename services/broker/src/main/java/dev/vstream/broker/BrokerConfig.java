package dev.vstream.broker;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a local broker is started.
 *
 * @param dataDir        where the KRaft metadata and topic logs live; formatted on first start, reused after
 * @param port           client listener port (0 picks a free one)
 * @param controllerPort KRaft controller listener port (0 picks a free one)
 * @param heapMegabytes  child JVM heap
 * @param startTimeout   how long to wait for the broker to report itself started
 * @param deleteOnClose  remove dataDir when the broker stops (throwaway test brokers)
 * @param stopOnJvmExit  stop the broker from a JVM shutdown hook; owners that must stop their clients first (the
 *                       local stack) turn it off and close the broker from their own hook
 */
public record BrokerConfig(Path dataDir, int port, int controllerPort, int heapMegabytes, Duration startTimeout,
                           boolean deleteOnClose, boolean stopOnJvmExit) {

    public BrokerConfig {
        if (dataDir == null) {
            throw new IllegalArgumentException("dataDir is required");
        }
        if (port < 0 || port > 65535 || controllerPort < 0 || controllerPort > 65535) {
            throw new IllegalArgumentException("ports must be within 0..65535");
        }
        if (port != 0 && port == controllerPort) {
            throw new IllegalArgumentException("client and controller ports must differ");
        }
        if (heapMegabytes < 128) {
            throw new IllegalArgumentException("heapMegabytes must be >= 128");
        }
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive");
        }
    }

    /** A throwaway broker on free ports in a fresh temporary directory. */
    public static BrokerConfig ephemeral(Path dataDir) {
        return new BrokerConfig(dataDir, 0, 0, 768, Duration.ofSeconds(90), true, true);
    }
}
