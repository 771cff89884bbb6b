package dev.vstream.kernels.bench;

import dev.vstream.kernels.linalg.ComputePool;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Read bandwidth of main memory: every pool member sums its contiguous share of a buffer far
 * larger than the last-level cache with four independent vector accumulators. Decode is
 * bound by this number (each weight is read once per token), so it is the ceiling a GEMV is
 * judged against.
 */
final class MemoryBandwidth {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final long STEP = 4L * FLOATS.vectorByteSize();

    private final MemorySegment buffer;
    private final float[] sums;

    MemoryBandwidth(MemorySegment buffer, int maxThreads) {
        this.buffer = buffer;
        this.sums = new float[maxThreads * 16];
    }

    /** Best of {@code repeats} full passes, in bytes per second. */
    double measure(ComputePool pool, int repeats) {
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

    /** Sum of everything read, so the reads cannot be optimised away. */
    float checksum() {
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
        sums[member * 16] = s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
    }
}
