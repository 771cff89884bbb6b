package dev.vstream.api.topic;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a topic is created: partitions (the unit of scale-out), cleanup policy, retention and record size.
 *
 * @param name           topic name
 * @param partitions     partition count; streams are spread over partitions by key
 * @param cleanup        delete (time retention) or compact (latest value per key)
 * @param retention      how long records of a DELETE topic are kept; ignored for COMPACT
 * @param maxMessageBytes largest record the topic accepts
 */
public record TopicSpec(String name, int partitions, CleanupPolicy cleanup, Duration retention, int maxMessageBytes) {

    public TopicSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("topic name is required");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        if (cleanup == CleanupPolicy.DELETE && (retention == null || retention.isNegative() || retention.isZero())) {
            throw new IllegalArgumentException("a delete-policy topic needs a positive retention");
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be >= 1024, got " + maxMessageBytes);
        }
    }

    /** The topic-level configs in Kafka's names, for AdminClient#createTopics and NewTopic beans. */
    public Map<String, String> kafkaConfigs() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", cleanup.kafkaName());
        if (cleanup == CleanupPolicy.DELETE) {
            configs.put("retention.ms", Long.toString(retention.toMillis()));
        } else {
            // Compact promptly so readers that bootstrap from the topic see few stale versions.
            configs.put("min.cleanable.dirty.ratio", "0.1");
            configs.put("segment.ms", Long.toString(Duration.ofHours(1).toMillis()));
        }
        configs.put("max.message.bytes", Integer.toString(maxMessageBytes));
        return Map.copyOf(configs);
    }
}
