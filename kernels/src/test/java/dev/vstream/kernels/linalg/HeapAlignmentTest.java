package dev.vstream.kernels.linalg;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

class HeapAlignmentTest {

    @Test
    void indexIsWithinOneCacheLineAndLandsOnOne() throws Throwable {
        // The address by another route than the one under test: memset(p, 0, 0) returns p and
        // writes nothing.
        Linker linker = Linker.nativeLinker();
        MethodHandle memset = linker.downcallHandle(linker.defaultLookup().find("memset").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_LONG), Linker.Option.critical(true));
        for (int size = 1; size < 2000; size += 97) {
            float[] array = new float[size + 16];
            int index = HeapAlignment.firstAlignedIndex(array);
            assertThat(index).isBetween(0, 15);
            long address = (long) memset.invokeExact(MemorySegment.ofArray(array), 0, 0L);
            assertThat((address + (long) index * Float.BYTES) % 64).as("array of %d floats", size).isZero();
        }
        assertThat(HeapAlignment.firstAlignedIndex(new float[0])).isZero();
    }
}
