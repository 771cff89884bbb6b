package dev.vstream.api.topic;

/** Kafka's cleanup.policy values that vstream topics use. */
public enum CleanupPolicy {
    /** Old segments are deleted after the retention time. */
    DELETE("delete"),
    /** The newest record per key is kept forever; used for "latest state of a stream" topics. */
    COMPACT("compact");

    private final String kafkaName;

    CleanupPolicy(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    public String kafkaName() {
        return kafkaName;
    }
}
