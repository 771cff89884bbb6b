package dev.vstream.memory.snapshot;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.SlotKind;
import dev.vstream.api.memory.TokenType;
import dev.vstream.memory.cluster.MemoryTokens;
import dev.vstream.memory.encoder.EncoderIdentity;
import dev.vstream.memory.star.StarMemory;
import dev.vstream.memory.star.StarSlot;
import java.util.Arrays;

/** Turns a STAR memory into the {@link MemorySnapshot} published on {@code vstream.memory}. */
public final class Snapshots {
    private Snapshots() {
    }

    /**
     * The memory's tokens in the order the language model reads them ([abstract][temporal][retrieved][spatial]),
     * pre-projection: the encoder's patch features pooled and clustered, {@code channels} = the encoder's width.
     *
     * @param tokens a buffer from {@link StarMemory#newTokens()}, overwritten
     */
    public static MemorySnapshot of(String streamId, StarMemory memory, StreamMemory stored, EncoderIdentity encoder,
                                    TokenType tokenType, MemoryTokens<StarSlot> tokens) {
        memory.read(tokens);
        int count = tokens.count();
        SlotKind[] kinds = new SlotKind[count];
        int[] slots = new int[count];
        long[] times = new long[count];
        for (int t = 0; t < count; t++) {
            kinds[t] = kind(tokens.kind(t));
            slots[t] = tokens.slot(t);
            times[t] = tokens.timestampMicros(t);
        }
        float[] values = Arrays.copyOf(tokens.features(), count * tokens.channels());
        return new MemorySnapshot(streamId, memory.framesSeen(), stored.newestPtsMicros(), stored.newestWallClockMs(),
                encoder.name(), encoder.configSha256(), false, tokenType, tokens.channels(), kinds, slots, times, values);
    }

    static SlotKind kind(StarSlot slot) {
        return switch (slot) {
            case ABSTRACT -> SlotKind.STAR_ABSTRACT;
            case TEMPORAL -> SlotKind.STAR_TEMPORAL;
            case RETRIEVED -> SlotKind.STAR_RETRIEVED;
            case SPATIAL -> SlotKind.STAR_SPATIAL;
        };
    }
}
