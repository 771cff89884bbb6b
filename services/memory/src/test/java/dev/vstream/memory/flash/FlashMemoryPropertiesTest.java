package dev.vstream.memory.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.cluster.MemoryStateException;
import dev.vstream.memory.cluster.MemoryTokens;
import dev.vstream.memory.cluster.SceneStream;
import dev.vstream.memory.cluster.StreamingKMeans;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Flash Memory at the released sizes (60 synopsis slots, 30 detail slots, pool 2) with narrow channels. */
class FlashMemoryPropertiesTest {

    private static final int CHANNELS = 8;

    @Test
    void theReleasedDefaultsGive11520TokensForA448FramePair() {
        // Qwen2-VL at 448x448 after the 2x2 merger: 16x16 tokens; the synopsis pools them to 8x8
        FlashMemoryConfig paper = FlashMemoryConfig.paper(16, 16, 3584);
        assertEquals(30 * 256 + 60 * 64, paper.maxTokens());
        assertEquals(11_520, paper.maxTokens());
    }

    @Test
    void sizeIsConstantAfterWarmUpAndSynopsisIsInTimeOrder() {
        FlashMemoryConfig config = FlashMemoryConfig.paper(8, 8, CHANNELS);
        FlashMemory memory = new FlashMemory(config);
        SceneStream stream = new SceneStream(8, 8, CHANNELS, 7, 0.3, 21);
        MemoryTokens<FlashSlot> tokens = memory.newTokens();
        int stateBytes = -1;
        for (int t = 0; t < 400; t++) {
            memory.update(stream.next((t / 25) % 7));
            memory.read(tokens);
            int seen = t + 1;
            int expected = Math.min(30, seen) * 64 + Math.min(60, seen) * 16;
            assertEquals(expected, tokens.count(), "tokens after input " + t);
            assertEquals(Math.min(seen, 120), memory.bankedFrames());
            if (seen > 120) {
                int size = memory.toBytes().length;
                stateBytes = stateBytes < 0 ? size : stateBytes;
                assertEquals(stateBytes, size, "state bytes after input " + t);
            }
        }
        assertEquals(FlashSlot.DETAIL, tokens.kind(0));
        assertEquals(FlashSlot.SYNOPSIS, tokens.kind(30 * 64));
        for (int i = 30 * 64 + 16; i < tokens.count(); i += 16) {
            assertTrue(tokens.timestampMicros(i) >= tokens.timestampMicros(i - 16), "synopsis in time order");
        }
        // timestamps stay stream times (the original overwrote them with positions in [0, 61) after re-clustering)
        long newest = tokens.timestampMicros(tokens.count() - 1);
        assertTrue(newest > 350_000_000L && newest <= 399_000_000L, "newest synopsis time " + newest);
        StreamingKMeans synopsis = memory.synopsisClusters();
        double total = 0;
        for (int k = 0; k < synopsis.count(); k++) {
            total += synopsis.weight(k);
        }
        assertEquals(400, total, 1e-9, "synopsis weights add up to the inputs seen");
    }

    @Test
    void detailFramesFollowTheHeaviestClustersInTheBank() {
        // a long scene early and a long scene late: the detail memory's first slots come from the heaviest
        // clusters, and only from inputs still in the bank
        FlashMemoryConfig config = new FlashMemoryConfig(8, 8, CHANNELS, 2, 12, 4, 80, 10, 3);
        FlashMemory memory = new FlashMemory(config);
        SceneStream stream = new SceneStream(8, 8, CHANNELS, 4, 0.3, 22);
        for (int t = 0; t < 200; t++) {
            int scene = t < 20 ? 0 : t < 60 ? 1 : t < 80 ? 2 : 3;
            memory.update(stream.next(scene));
        }
        long[] detail = new long[4];
        int n = memory.detailSequences(detail);
        assertEquals(4, n);
        assertTrue(detail[0] >= 120, "the heaviest cluster is the late 120-input scene, inside the bank: "
                + Arrays.toString(detail));
        for (long d : detail) {
            assertTrue(d >= 120, "detail frames come from the bank of the newest 80: " + Arrays.toString(detail));
        }
    }

    @Test
    void aRestoredMemoryContinuesExactlyLikeTheOriginal() {
        FlashMemoryConfig config = new FlashMemoryConfig(4, 6, CHANNELS, 2, 5, 3, 9, 10, 4);
        SceneStream stream = new SceneStream(4, 6, CHANNELS, 3, 0.3, 23);
        FrameFeatures[] frames = new FrameFeatures[60];
        for (int t = 0; t < frames.length; t++) {
            frames[t] = stream.next((t / 6) % 3);
        }
        FlashMemory original = new FlashMemory(config);
        for (int t = 0; t < 30; t++) {
            original.update(frames[t]);
        }
        FlashMemory restored = FlashMemory.fromBytes(config, original.toBytes());
        for (int t = 30; t < 60; t++) {
            original.update(frames[t]);
            restored.update(frames[t]);
        }
        assertArrayEquals(original.toBytes(), restored.toBytes());
        assertThrows(MemoryStateException.class, () -> FlashMemory.fromBytes(
                new FlashMemoryConfig(4, 6, CHANNELS, 2, 5, 3, 9, 10, 5), original.toBytes()));
        byte[] bytes = original.toBytes();
        assertThrows(MemoryStateException.class,
                () -> FlashMemory.fromBytes(config, Arrays.copyOf(bytes, bytes.length / 2)));
    }

    @Test
    void rejectsInvalidConfigs() {
        assertThrows(IllegalArgumentException.class, () -> new FlashMemoryConfig(7, 8, 8, 2, 60, 30, 120, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new FlashMemoryConfig(8, 8, 8, 2, 20, 30, 120, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new FlashMemoryConfig(8, 8, 8, 2, 60, 30, 0, 10, 0));
    }
}
