package dev.vstream.kernels.bench;

import dev.vstream.kernels.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Benchmark operands: cheap pseudo-random fills and the result cross-check. */
final class Matrices {

    private Matrices() {
    }

    /**
     * Weights for both sides: {@code ours(i)} in {@code dtype} and {@code widened(i)}, the same
     * values as fp32 for OpenBLAS (the very same segments when {@code dtype} is F32).
     */
    record Weights(MemorySegment[] ours, MemorySegment[] widened) {
        MemorySegment ours(int copy) {
            return ours[copy];
        }

        MemorySegment widened(int copy) {
            return widened[copy % widened.length];
        }
    }

    /** {@code copies} identical {@code (n, k)} weight matrices in native memory. */
    static Weights weights(Arena arena, int n, int k, DType dtype, int copies, long seed) {
        long count = (long) n * k;
        MemorySegment[] ours = new MemorySegment[copies];
        MemorySegment[] widened = new MemorySegment[copies];
        long state = seed * 0x9E3779B97F4A7C15L + 1;
        ours[0] = arena.allocate(count * dtype.byteSize(), 64);
        widened[0] = dtype == DType.F32 ? ours[0] : arena.allocate(count * Float.BYTES, 64);
        for (long i = 0; i < count; i++) {
            state = next(state);
            float value = toUnit(state) * 0.05f;
            if (dtype == DType.BF16) {
                short bits = DType.bf16FromFloat(value);
                ours[0].setAtIndex(ValueLayout.JAVA_SHORT, i, bits);
                value = DType.bf16ToFloat(bits);
            }
            widened[0].setAtIndex(ValueLayout.JAVA_FLOAT, i, value);
        }
        for (int c = 1; c < copies; c++) {
            ours[c] = arena.allocate(ours[0].byteSize(), 64).copyFrom(ours[0]);
            widened[c] = dtype == DType.F32 ? ours[c] : arena.allocate(widened[0].byteSize(), 64).copyFrom(widened[0]);
        }
        return new Weights(ours, widened);
    }

    /** {@code count} values in {@code [-1, 1)}. */
    static float[] random(int count, long seed) {
        float[] values = new float[count];
        long state = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < count; i++) {
            state = next(state);
            values[i] = toUnit(state);
        }
        return values;
    }

    /** {@code max |ours - theirs| / max |theirs|}: both sides computed the same product. */
    static double maxRelativeDifference(float[] ours, MemorySegment theirs) {
        double maxDiff = 0;
        double maxMagnitude = Double.MIN_NORMAL;
        for (int i = 0; i < ours.length; i++) {
            float other = theirs.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            maxDiff = Math.max(maxDiff, Math.abs(ours[i] - other));
            maxMagnitude = Math.max(maxMagnitude, Math.abs(other));
        }
        return maxDiff / maxMagnitude;
    }

    private static long next(long state) {
        state ^= state << 13;
        state ^= state >>> 7;
        return state ^ (state << 17);
    }

    private static float toUnit(long state) {
        return (state >>> 40) * 0x1.0p-23f - 1f;
    }
}
