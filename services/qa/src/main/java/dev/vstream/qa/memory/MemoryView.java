package dev.vstream.qa.memory;

import dev.vstream.api.frame.MalformedRecordException;
import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.MemorySnapshotCodec;
import dev.vstream.api.topic.Topics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every stream's recent memory snapshots, read from the compacted topic {@code vstream.memory} from its
 * beginning by a plain consumer that is assigned all partitions (no consumer group: every QA instance sees
 * every stream). Per stream it keeps the last {@code history} snapshots with the time Kafka stamped each
 * one, so a question is answered from the snapshot that was newest at the question's time even when it is
 * processed later (a question from {@code vstream.questions}). A tombstone forgets the stream.
 *
 * <p>Snapshots are immutable: a question holds on to the one it took, later updates never change it.
 */
public final class MemoryView implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MemoryView.class);

    /** A snapshot and the time (epoch ms) it was published. */
    public record Entry(MemorySnapshot snapshot, long publishedAtMs) {
    }

    /** The answer to "what memory did this stream have at that time". */
    public sealed interface Lookup {
        record Found(Entry entry) implements Lookup {
        }

        /** No snapshot of the stream is known (never had one, or forgotten after a tombstone). */
        record UnknownStream() implements Lookup {
        }

        /** The stream's snapshots are all newer than the question's time. */
        record NoMemoryYet(long oldestPublishedAtMs) implements Lookup {
        }
    }

    private final Map<String, Deque<Entry>> streams = new ConcurrentHashMap<>();
    private final Supplier<KafkaConsumer<String, byte[]>> consumers;
    private final int history;
    private final Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean caughtUp;
    private volatile boolean closed;
    private volatile long decodeFailures;

    public MemoryView(Map<String, Object> kafkaConsumerConfig, int history) {
        if (history < 1) {
            throw new IllegalArgumentException("history must be at least 1, got " + history);
        }
        this.history = history;
        Properties config = new Properties();
        config.putAll(kafkaConsumerConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MEMORY.maxMessageBytes() + 64 * 1024);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Topics.MEMORY.maxMessageBytes() + 64 * 1024);
        this.consumers = () -> new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().name("qa-memory-view").daemon().unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Whether everything on the topic at start-up has been read. */
    public boolean caughtUp() {
        return caughtUp;
    }

    public int streams() {
        return streams.size();
    }

    public long decodeFailures() {
        return decodeFailures;
    }

    /** The newest snapshot of {@code streamId} published at or before {@code atMs}. */
    public Lookup lookup(String streamId, long atMs) {
        Deque<Entry> entries = streams.get(streamId);
        if (entries == null) {
            return new Lookup.UnknownStream();
        }
        synchronized (entries) {
            if (entries.isEmpty()) {
                return new Lookup.UnknownStream();
            }
            var it = entries.descendingIterator();
            while (it.hasNext()) {
                Entry e = it.next();
                if (e.publishedAtMs() <= atMs) {
                    return new Lookup.Found(e);
                }
            }
            return new Lookup.NoMemoryYet(entries.peekFirst().publishedAtMs());
        }
    }

    /** The newest snapshot of a stream, if any. */
    public Optional<Entry> newest(String streamId) {
        Deque<Entry> entries = streams.get(streamId);
        if (entries == null) {
            return Optional.empty();
        }
        synchronized (entries) {
            return Optional.ofNullable(entries.peekLast());
        }
    }

    /** Takes a record of the memory topic in (public for tests that feed the view without a broker). */
    public void accept(String key, byte[] value, long timestampMs) {
        if (key == null) {
            return;
        }
        if (value == null) {
            if (streams.remove(key) != null) {
                log.info("Stream {} forgotten: memory tombstone", key);
            }
            return;
        }
        MemorySnapshot snapshot;
        try {
            snapshot = MemorySnapshotCodec.decode(key, value);
        } catch (MalformedRecordException e) {
            decodeFailures++;
            log.warn("Skipping an undecodable memory snapshot of stream {}: {}", key, e.getMessage());
            return;
        }
        Deque<Entry> entries = streams.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (entries) {
            Entry last = entries.peekLast();
            if (last != null && snapshot.version() < last.snapshot().version()) {
                // A new run of the stream (its memory began again): older versions belong to the old run.
                entries.clear();
            }
            entries.addLast(new Entry(snapshot, timestampMs));
            while (entries.size() > history) {
                entries.removeFirst();
            }
        }
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = consumers.get()) {
            consumer = c;
            if (closed) {
                return;
            }
            List<TopicPartition> partitions = awaitPartitions(c);
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            log.info("Reading {} ({} partitions) from the beginning, {} records to catch up", Topics.MEMORY.name(),
                    partitions.size(), end.values().stream().mapToLong(Long::longValue).sum());
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    accept(r.key(), r.value(), r.timestamp());
                }
                if (!caughtUp && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    log.info("Memory view caught up: {} streams", streams.size());
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                log.error("Memory view stopped unexpectedly", e);
            }
        } catch (RuntimeException e) {
            log.error("Memory view stopped: {}", e.toString(), e);
        }
    }

    private List<TopicPartition> awaitPartitions(KafkaConsumer<String, byte[]> c) {
        while (true) {
            if (closed) {
                throw new WakeupException();
            }
            List<org.apache.kafka.common.PartitionInfo> infos;
            try {
                infos = c.partitionsFor(Topics.MEMORY.name(), Duration.ofSeconds(10));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                log.warn("Broker not reachable for {}, retrying: {}", Topics.MEMORY.name(), e.getMessage());
                continue;
            }
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            log.info("Topic {} not found yet, waiting", Topics.MEMORY.name());
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        thread.join(Duration.ofSeconds(10));
    }
}
