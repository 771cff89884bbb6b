package dev.vstream.memory.flash;

import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.cluster.Golden;
import dev.vstream.memory.cluster.MemoryTokens;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Flash Memory against reference/memory/memory_reference.py, frame by frame (make_goldens.py). */
class FlashMemoryGoldenTest {

    private static final Logger LOG = LoggerFactory.getLogger(FlashMemoryGoldenTest.class);

    @ParameterizedTest
    @ValueSource(strings = {"flash_small", "flash_wide", "flash_frozen"})
    void matchesTheReferenceAfterEveryFrame(String name) throws Exception {
        Golden golden = Golden.load(name);
        FlashMemoryConfig config = new FlashMemoryConfig(golden.intConfig("inputHeight"),
                golden.intConfig("inputWidth"), golden.intConfig("channels"), golden.intConfig("poolSize"),
                golden.intConfig("synopsisSlots"), golden.intConfig("detailSlots"), golden.intConfig("bankFrames"),
                golden.intConfig("kmeansIterations"), golden.intConfig("seed"));
        FlashMemory memory = new FlashMemory(config);
        MemoryTokens<FlashSlot> tokens = memory.newTokens();
        long[] detail = new long[Math.max(1, config.detailSlots())];
        FrameFeatures[] frames = golden.allFrames();
        for (int t = 0; t < frames.length; t++) {
            memory.update(frames[t]);
            memory.read(tokens);
            golden.assertTokens(t, tokens);
            golden.assertClusters(t, memory.synopsisClusters());
            golden.assertRetrieved(t, detail, memory.detailSequences(detail));
        }
        LOG.info("{}", golden.report());
    }
}
