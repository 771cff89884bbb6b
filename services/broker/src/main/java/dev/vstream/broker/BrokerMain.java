package dev.vstream.broker;

/**
 * Entry point of the broker's child JVM: Kafka's own main, plus a watchdog that ends the broker when the
 * JVM that started it is gone, so a killed launcher or test run never leaves an orphan broker on its port.
 */
public final class BrokerMain {
    private BrokerMain() {
    }

    /** @param args parent pid, then Kafka's arguments (the server.properties path) */
    public static void main(String[] args) {
        long parentPid = Long.parseLong(args[0]);
        Thread watchdog = Thread.ofPlatform().daemon().name("parent-watchdog").unstarted(() -> {
            ProcessHandle parent = ProcessHandle.of(parentPid).orElse(null);
            while (parent != null && parent.isAlive()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("vstream broker: parent process " + parentPid + " is gone, shutting down");
            System.exit(0); // runs Kafka's shutdown hook: a clean, controlled shutdown
        });
        watchdog.start();
        String[] kafkaArgs = java.util.Arrays.copyOfRange(args, 1, args.length);
        kafka.Kafka.main(kafkaArgs);
    }
}
