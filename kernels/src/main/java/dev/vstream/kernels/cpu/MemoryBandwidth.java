package dev.vstream.kernels.cpu;

import dev.vstream.kernels.linalg.ComputePool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Streaming read bandwidth of main memory: every pool member sums its contiguous share of a
 * buffer far larger than the last-level cache with four vector accumulators. Decode is bound by
 * this number (each weight is read once per token), so it is the ceiling the benchmarks judge a
 * GEMV and a decode step against.
 */
public final class MemoryBandwidth implements AutoCloseable {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final long STEP = 4L * FLOATS.vectorByteSize();

    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private final float[] sums = new float[64 * 16];

    /** Allocates and touches a buffer of about {@code bytes} (rounded down to whole vector steps). */
    public MemoryBandwidth(long bytes) {
        buffer = arena.allocate(bytes / STEP * STEP, 64);
        buffer.fill((byte) 1);
    }

    /** Best of {@code repeats} full passes with {@code pool}, in bytes per second. */
    public double measure(ComputePool pool, int repeats) {
        ComputePool.Task pass = this::sumShare;
        pool.run(pass); // warm-up: JIT and page faults
        long best = Long.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            pool.run(pass);
            best = Math.min(best, System.nanoTime() - start);
        }
        return buffer.byteSize() * 1e9 / best;
    }

    /** Sum of everything read, printed so the reads cannot be optimised away. */
    public float checksum() {
        float total = 0;
        for (float s : sums) {
            total += s;
        }
        return total;
    }

    private void sumShare(int member, int members) {
        long steps = buffer.byteSize() / STEP;
        long from = steps * member / members * STEP;
        long to = steps * (member + 1) / members * STEP;
        FloatVector s0 = FloatVector.zero(FLOATS);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        long width = FLOATS.vectorByteSize();
        for (long at = from; at < to; at += STEP) {
            s0 = s0.add(FloatVector.fromMemorySegment(FLOATS, buffer, at, ByteOrder.LITTLE_ENDIAN));
            s1 = s1.add(FloatVector.fromMemorySegment(FLOATS, buffer, at + width, ByteOrder.LITTLE_ENDIAN));
            s2 = s2.add(FloatVector.fromMemorySegment(FLOATS, buffer, at + 2 * width, ByteOrder.LITTLE_ENDIAN));
            s3 = s3.add(FloatVector.fromMemorySegment(FLOATS, buffer, at + 3 * width, ByteOrder.LITTLE_ENDIAN));
        }
        sums[(member % 64) * 16] = s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void close() {
        arena.close();
    }
}
