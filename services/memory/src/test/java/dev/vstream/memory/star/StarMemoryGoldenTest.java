package dev.vstream.memory.star;

import dev.vstream.memory.cluster.FrameFeatures;
import dev.vstream.memory.cluster.Golden;
import dev.vstream.memory.cluster.MemoryTokens;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** STAR memory against reference/memory/memory_reference.py, frame by frame (make_goldens.py). */
class StarMemoryGoldenTest {

    private static final Logger LOG = LoggerFactory.getLogger(StarMemoryGoldenTest.class);

    @ParameterizedTest
    @ValueSource(strings = {"star_small", "star_chunked", "star_frozen"})
    void matchesTheReferenceAfterEveryFrame(String name) throws Exception {
        Golden golden = Golden.load(name);
        StarMemoryConfig config = config(golden);
        SemanticAttention attention = SemanticAttention.load(golden.path(), "attention.");
        StarMemory memory = new StarMemory(config, attention);
        MemoryTokens<StarSlot> tokens = memory.newTokens();
        long[] retrieved = new long[Math.max(1, config.retrievedFrames())];
        FrameFeatures[] frames = golden.allFrames();
        for (int t = 0; t < frames.length; t++) {
            memory.update(frames[t]);
            memory.read(tokens);
            golden.assertTokens(t, tokens);
            golden.assertClusters(t, memory.temporal());
            golden.assertRetrieved(t, retrieved, memory.retrievedSequences(retrieved));
        }
        LOG.info("{}", golden.report());
    }

    static StarMemoryConfig config(Golden g) {
        return new StarMemoryConfig(g.intConfig("inputHeight"), g.intConfig("inputWidth"), g.intConfig("channels"),
                g.intConfig("spatialPool"), g.intConfig("temporalPool"), g.intConfig("abstractPool"),
                g.intConfig("spatialFrames"), g.intConfig("temporalSlots"), g.intConfig("abstractSlots"),
                g.intConfig("retrievedFrames"), g.intConfig("bufferFrames"), g.doubleConfig("abstractUpdateRatio"),
                g.intConfig("abstractChunkFrames"), g.intConfig("attentionDim"), g.intConfig("kmeansIterations"),
                g.intConfig("seed"));
    }
}
