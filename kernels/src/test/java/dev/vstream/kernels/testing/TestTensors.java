package dev.vstream.kernels.testing;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Random inputs and weight tensors laid out the way a memory-mapped checkpoint has them. */
public final class TestTensors {

    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TestTensors() {
    }

    /** {@code length} values uniform in {@code [-1, 1)}. */
    public static float[] uniform(Random random, int length) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = random.nextFloat() * 2f - 1f;
        }
        return values;
    }

    /**
     * A tensor of random values in {@code [-1, 1)} in native memory owned by {@code arena},
     * starting one byte past an aligned address when {@code unaligned} (as a tensor after an
     * unpadded safetensors header does), so the kernels' unaligned little-endian loads are
     * exercised.
     */
    public static Tensor random(Arena arena, Random random, DType dtype, boolean unaligned,
                                long... dims) {
        Shape shape = Shape.of(dims);
        long count = shape.elementCount();
        long bytes = count * dtype.byteSize();
        int skew = unaligned ? 1 : 0;
        MemorySegment segment = arena.allocate(bytes + skew, 64).asSlice(skew, bytes);
        for (long i = 0; i < count; i++) {
            float value = random.nextFloat() * 2f - 1f;
            switch (dtype) {
                case F32 -> segment.set(F32_LE, i * 4, value);
                case BF16 -> segment.set(I16_LE, i * 2, DType.bf16FromFloat(value));
                case F16 -> segment.set(I16_LE, i * 2, DType.f16FromFloat(value));
            }
        }
        return new Tensor(shape, dtype, segment);
    }
}
