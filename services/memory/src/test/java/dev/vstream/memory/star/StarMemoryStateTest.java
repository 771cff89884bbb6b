package dev.vstream.memory.star;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vstream.memory.cluster.FeatureShapeException;
import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.cluster.MemoryStateException;
import dev.vstream.memory.cluster.MemoryTokens;
import dev.vstream.memory.cluster.SceneStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Determinism, the versioned state bytes, and the validation of configs and inputs. */
class StarMemoryStateTest {

    private static final StarMemoryConfig CONFIG =
            new StarMemoryConfig(8, 8, 12, 4, 2, 1, 2, 6, 5, 3, 20, 0.2, 2, 8, 10, 77);

    private static StarMemory memory() {
        return new StarMemory(CONFIG, SemanticAttention.random(8, 12, 5));
    }

    private static FrameFeatures[] stream(int frames) {
        SceneStream stream = new SceneStream(8, 8, 12, 4, 0.4, 99);
        FrameFeatures[] out = new FrameFeatures[frames];
        for (int t = 0; t < frames; t++) {
            out[t] = stream.next((t / 7) % 4);
        }
        return out;
    }

    @Test
    void sameSeedSameMemory() {
        StarMemory a = memory();
        StarMemory b = memory();
        for (FrameFeatures f : stream(60)) {
            a.update(f);
            b.update(f);
        }
        assertArrayEquals(a.toBytes(), b.toBytes());
    }

    @Test
    void aRestoredMemoryContinuesExactlyLikeTheOriginal() {
        FrameFeatures[] frames = stream(90);
        StarMemory original = memory();
        for (int t = 0; t < 45; t++) {
            original.update(frames[t]);
        }
        StarMemory restored = StarMemory.fromBytes(CONFIG, SemanticAttention.random(8, 12, 5), original.toBytes());
        assertArrayEquals(original.toBytes(), restored.toBytes());
        MemoryTokens<StarSlot> a = original.newTokens();
        MemoryTokens<StarSlot> b = restored.newTokens();
        for (int t = 45; t < 90; t++) {
            original.update(frames[t]);
            restored.update(frames[t]);
            original.read(a);
            restored.read(b);
            assertEquals(a.count(), b.count());
            assertArrayEquals(Arrays.copyOf(a.features(), a.count() * 12), Arrays.copyOf(b.features(), b.count() * 12));
        }
        assertArrayEquals(original.toBytes(), restored.toBytes());
    }

    @Test
    void anEarlyStateRestoresToo() {
        StarMemory original = memory();
        StarMemory empty = StarMemory.fromBytes(CONFIG, SemanticAttention.random(8, 12, 5), original.toBytes());
        assertEquals(0, empty.framesSeen());
        for (FrameFeatures f : stream(3)) {
            original.update(f);
        }
        StarMemory early = StarMemory.fromBytes(CONFIG, SemanticAttention.random(8, 12, 5), original.toBytes());
        assertArrayEquals(original.toBytes(), early.toBytes());
    }

    @Test
    void rejectsForeignOrDamagedState() {
        StarMemory original = memory();
        for (FrameFeatures f : stream(30)) {
            original.update(f);
        }
        byte[] bytes = original.toBytes();
        SemanticAttention attention = SemanticAttention.random(8, 12, 5);
        assertThrows(MemoryStateException.class,
                () -> StarMemory.fromBytes(CONFIG.withSeed(78), attention, bytes));
        assertThrows(MemoryStateException.class,
                () -> StarMemory.fromBytes(CONFIG, attention, Arrays.copyOf(bytes, bytes.length - 1)));
        byte[] version = bytes.clone();
        version[4] = 9;
        assertThrows(MemoryStateException.class, () -> StarMemory.fromBytes(CONFIG, attention, version));
        byte[] magic = bytes.clone();
        magic[0] = 0;
        assertThrows(MemoryStateException.class, () -> StarMemory.fromBytes(CONFIG, attention, magic));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 4);
        assertThrows(MemoryStateException.class, () -> StarMemory.fromBytes(CONFIG, attention, longer));
    }

    /** The split form of {@code memory}: its core and one frame entry per held slot, restored. */
    private static StarMemory fromParts(StarMemory memory) {
        byte[] core = memory.coreBytes();
        byte[][] frames = new byte[memory.bufferedFrames()][];
        for (int slot = 0; slot < frames.length; slot++) {
            frames[slot] = memory.frameBytes(slot);
        }
        return StarMemory.fromParts(CONFIG, SemanticAttention.random(8, 12, 5), core, slot -> frames[slot]);
    }

    @Test
    void theSplitFormRestoresTheMemoryByteForByteAtEveryFrame() {
        FrameFeatures[] frames = stream(60);
        StarMemory original = memory();
        assertArrayEquals(original.toBytes(), fromParts(original).toBytes());
        assertEquals(-1, original.newestSlot());
        MemoryTokens<StarSlot> a = original.newTokens();
        MemoryTokens<StarSlot> b = original.newTokens();
        for (int t = 0; t < frames.length; t++) {
            original.update(frames[t]);
            assertEquals(t % CONFIG.bufferFrames(), original.newestSlot());
            StarMemory restored = fromParts(original);
            assertArrayEquals(original.toBytes(), restored.toBytes(), "frame " + t);
            assertArrayEquals(original.coreBytes(), restored.coreBytes());
        }
        StarMemory continued = fromParts(original);
        original.read(a);
        continued.read(b);
        assertEquals(a.count(), b.count());
        assertArrayEquals(Arrays.copyOf(a.features(), a.count() * 12), Arrays.copyOf(b.features(), b.count() * 12));
    }

    @Test
    void aRestoredSplitMemoryContinuesExactlyLikeTheOriginal() {
        FrameFeatures[] frames = stream(90);
        StarMemory original = memory();
        for (int t = 0; t < 45; t++) {
            original.update(frames[t]);
        }
        StarMemory restored = fromParts(original);
        for (int t = 45; t < 90; t++) {
            original.update(frames[t]);
            restored.update(frames[t]);
        }
        assertArrayEquals(original.toBytes(), restored.toBytes());
    }

    @Test
    void anUpdateChangesTheCoreAndOneFrameEntryOnly() {
        FrameFeatures[] frames = stream(50);
        StarMemory memory = memory();
        for (int t = 0; t < 30; t++) {
            memory.update(frames[t]);
        }
        byte[][] before = new byte[CONFIG.bufferFrames()][];
        for (int slot = 0; slot < before.length; slot++) {
            before[slot] = memory.frameBytes(slot);
        }
        memory.update(frames[30]);
        int changed = memory.newestSlot();
        assertEquals(30 % CONFIG.bufferFrames(), changed);
        for (int slot = 0; slot < before.length; slot++) {
            if (slot != changed) {
                assertArrayEquals(before[slot], memory.frameBytes(slot), "slot " + slot);
            }
        }
        assertFalse(Arrays.equals(before[changed], memory.frameBytes(changed)));
    }

    @Test
    void rejectsDamagedSplitState() {
        StarMemory original = memory();
        for (FrameFeatures f : stream(30)) {
            original.update(f);
        }
        SemanticAttention attention = SemanticAttention.random(8, 12, 5);
        byte[] core = original.coreBytes();
        byte[][] frames = new byte[CONFIG.bufferFrames()][];
        for (int slot = 0; slot < frames.length; slot++) {
            frames[slot] = original.frameBytes(slot);
        }
        // a frame entry missing, or one left over from an older frame in that slot (frame 3 where the core expects 23)
        assertThrows(MemoryStateException.class,
                () -> StarMemory.fromParts(CONFIG, attention, core, slot -> slot == 3 ? null : frames[slot]));
        StarMemory older = memory();
        FrameFeatures[] stream = stream(30);
        for (int t = 0; t < 20; t++) {
            older.update(stream[t]);
        }
        byte[] stale = older.frameBytes(3);
        assertThrows(MemoryStateException.class,
                () -> StarMemory.fromParts(CONFIG, attention, core, slot -> slot == 3 ? stale : frames[slot]));
        assertThrows(MemoryStateException.class,
                () -> StarMemory.fromParts(CONFIG, attention, Arrays.copyOf(core, core.length - 1), slot -> frames[slot]));
        assertThrows(MemoryStateException.class, () -> StarMemory.fromParts(CONFIG, attention, core,
                slot -> Arrays.copyOf(frames[slot], frames[slot].length + 4)));
        assertThrows(MemoryStateException.class, () -> StarMemory.fromParts(CONFIG.withSeed(78), attention, core,
                slot -> frames[slot]));
        // the whole state is not a core, nor a frame entry a frame
        assertThrows(MemoryStateException.class, () -> StarMemory.fromParts(CONFIG, attention, original.toBytes(),
                slot -> frames[slot]));
        assertThrows(MemoryStateException.class, () -> StarMemory.fromBytes(CONFIG, attention, core));
        assertThrows(MemoryStateException.class, () -> StarMemory.fromParts(CONFIG, attention, core, slot -> core));
        assertTrue(StarMemory.isWholeState(original.toBytes()));
        assertFalse(StarMemory.isWholeState(core));
    }

    @Test
    void differentSeedsMayClusterDifferentlyButKeepTheirInvariants() {
        StarMemory a = new StarMemory(CONFIG.withSeed(1), SemanticAttention.random(8, 12, 5));
        StarMemory b = new StarMemory(CONFIG.withSeed(2), SemanticAttention.random(8, 12, 5));
        for (FrameFeatures f : stream(50)) {
            a.update(f);
            b.update(f);
        }
        for (StarMemory m : new StarMemory[] {a, b}) {
            double total = 0;
            for (int k = 0; k < m.temporal().count(); k++) {
                total += m.temporal().weight(k);
            }
            assertEquals(50, total, 1e-9);
        }
        assertFalse(Arrays.equals(a.toBytes(), b.toBytes()), "the seed is part of the state");
    }

    @Test
    void paperDefaultsGive681Tokens() {
        StarMemoryConfig paper = StarMemoryConfig.paperClipL14();
        assertEquals(681, paper.maxTokens());
        assertEquals(8, paper.spatialPool());
        assertEquals(300, paper.bufferFrames());
    }

    @Test
    void rejectsInvalidConfigs() {
        assertThrows(IllegalArgumentException.class,
                () -> new StarMemoryConfig(16, 16, 8, 5, 4, 1, 1, 25, 25, 3, 300, 0.2, 1, 32, 10, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new StarMemoryConfig(16, 16, 8, 8, 3, 1, 1, 25, 25, 3, 300, 0.2, 1, 32, 10, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new StarMemoryConfig(16, 16, 8, 8, 4, 1, 1, 25, 25, 26, 300, 0.2, 1, 32, 10, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new StarMemoryConfig(16, 16, 8, 8, 4, 1, 2, 25, 25, 3, 1, 0.2, 1, 32, 10, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new StarMemoryConfig(16, 16, 8, 8, 4, 1, 1, 25, 25, 3, 300, 0.0, 1, 32, 10, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new StarMemoryConfig(16, 16, 8, 8, 4, 1, 1, 0, 25, 0, 300, 0.2, 1, 32, 10, 0));
    }

    @Test
    void rejectsFramesOfAnotherShapeAndMismatchedProjections() {
        StarMemory memory = memory();
        assertThrows(FeatureShapeException.class,
                () -> memory.update(new FrameFeatures(new float[16 * 16 * 12], 16, 16, 12, 0)));
        assertThrows(FeatureShapeException.class,
                () -> new FrameFeatures(new float[10], 2, 2, 2, 0));
        assertThrows(FeatureShapeException.class,
                () -> new StarMemory(CONFIG, SemanticAttention.random(8, 16, 5)));
    }
}
