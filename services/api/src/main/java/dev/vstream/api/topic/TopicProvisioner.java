package dev.vstream.api.topic;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates topics from their {@link TopicSpec}s. Replication is left to the broker's default
 * (1 on the local broker, the cluster's setting elsewhere); existing topics are kept as they are.
 */
public final class TopicProvisioner {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private TopicProvisioner() {
    }

    /** What happened to each topic. */
    public record Outcome(List<String> created, List<String> existing) {
    }

    public static Outcome ensure(String bootstrapServers, Collection<TopicSpec> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()))) {
            return ensure(admin, topics);
        }
    }

    public static Outcome ensure(Admin admin, Collection<TopicSpec> topics) {
        List<NewTopic> requests = topics.stream()
                .map(t -> new NewTopic(t.name(), Optional.of(t.partitions()), Optional.empty()).configs(t.kafkaConfigs()))
                .toList();
        var result = admin.createTopics(requests);
        List<String> created = new java.util.ArrayList<>();
        List<String> existing = new java.util.ArrayList<>();
        for (TopicSpec topic : topics) {
            try {
                result.values().get(topic.name()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                created.add(topic.name());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    existing.add(topic.name());
                } else {
                    throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getCause().getMessage(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("creating topic " + topic.name() + " timed out after " + TIMEOUT, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + topic.name(), e);
            }
        }
        return new Outcome(List.copyOf(created), List.copyOf(existing));
    }

    /** Partition counts of existing topics, e.g. to check that a deployment created what the specs say. */
    public static Map<String, Integer> partitions(Admin admin, Set<String> names) throws ExecutionException, InterruptedException {
        Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
        return descriptions.entrySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
                Map.Entry::getKey, e -> e.getValue().partitions().size()));
    }
}
