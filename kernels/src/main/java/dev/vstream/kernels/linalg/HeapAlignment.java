package dev.vstream.kernels.linalg;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Where a {@code float[]}'s elements sit relative to a cache line, so scratch buffers can be
 * used from a 64-byte aligned element on.
 *
 * <p>Why: HotSpot aligns arrays to 8 bytes only, so the data of a scratch buffer starts at a
 * random multiple of 8 modulo 64, and then every 512-bit load of a packed panel straddles two
 * cache lines. Measured on the 6 x 4L GEMM tile: 188 GFLOP/s misaligned, 209 aligned. Java
 * has no API for an array's address; a {@linkplain Linker.Option#critical critical} downcall
 * may pass a heap array to native code, and {@code memmove(p, p, 0)} returns {@code p}
 * without touching memory. The answer only steers speed, never correctness: if the GC moves
 * the array later the loads are merely misaligned again until the next call asks anew, and
 * where the downcall is unavailable (native access denied, no libc) every offset is 0.
 */
final class HeapAlignment {

    private static final int CACHE_LINE = 64;
    private static final MethodHandle MEMMOVE = lookupMemmove();

    private HeapAlignment() {
    }

    private static MethodHandle lookupMemmove() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("memmove").map(symbol -> linker.downcallHandle(symbol,
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                    Linker.Option.critical(true))).orElse(null);
        } catch (RuntimeException e) {
            return null; // e.g. IllegalCallerException under --illegal-native-access=deny
        }
    }

    /**
     * The smallest index {@code i} (0..15) such that {@code array[i]} starts a cache line as
     * of now, or 0 when that cannot be found out.
     */
    static int firstAlignedIndex(float[] array) {
        if (MEMMOVE == null || array.length == 0) {
            return 0;
        }
        try {
            MemorySegment data = MemorySegment.ofArray(array);
            long address = (long) MEMMOVE.invokeExact(data, data, 0L);
            int misalignment = (int) Math.floorMod(address, (long) CACHE_LINE);
            return misalignment % Float.BYTES != 0 ? 0
                    : ((CACHE_LINE - misalignment) % CACHE_LINE) / Float.BYTES;
        } catch (Throwable e) {
            return 0;
        }
    }
}
