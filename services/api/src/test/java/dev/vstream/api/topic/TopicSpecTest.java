package dev.vstream.api.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.api.frame.FrameRecord;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TopicSpecTest {

    @Test
    void memoryTopicIsCompactedAndFramesAreTimeRetained() {
        assertThat(Topics.MEMORY.kafkaConfigs()).containsEntry("cleanup.policy", "compact").doesNotContainKey("retention.ms");
        assertThat(Topics.FRAMES.kafkaConfigs()).containsEntry("cleanup.policy", "delete")
                .containsEntry("retention.ms", Long.toString(Duration.ofHours(24).toMillis()));
    }

    @Test
    void largestFrameFitsTheFramesTopic() {
        assertThat(Topics.FRAMES.maxMessageBytes()).isGreaterThan(FrameRecord.MAX_PAYLOAD_BYTES + 36 + 128);
        assertThat(Topics.FRAMES_DLQ.maxMessageBytes()).as("a dead letter carries its record plus the reason headers")
                .isGreaterThan(Topics.FRAMES.maxMessageBytes() + 4096);
    }

    @Test
    void topicNamesAreUnique() {
        assertThat(Topics.ALL.stream().map(TopicSpec::name).distinct()).hasSameSizeAs(Topics.ALL);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new TopicSpec("t", 0, CleanupPolicy.DELETE, Duration.ofHours(1), 2048)).hasMessageContaining("partitions");
        assertThatThrownBy(() -> new TopicSpec("t", 1, CleanupPolicy.DELETE, null, 2048)).hasMessageContaining("retention");
    }
}
