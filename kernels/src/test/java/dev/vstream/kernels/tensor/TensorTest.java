package dev.vstream.kernels.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorTest {

    private static final float[] VALUES = {1f, -2f, 0.5f, 3.25f, -0f, 1024f};

    @ParameterizedTest
    @EnumSource(DType.class)
    void readsEveryElementOfEveryDtype(DType dtype) {
        Tensor t = Tensor.fromFloats(Shape.of(2, 3), dtype, VALUES);
        assertThat(t.byteSize()).isEqualTo(6L * dtype.byteSize());
        assertThat(t.toFloatArray()).containsExactly(VALUES);
        for (int i = 0; i < VALUES.length; i++) {
            assertThat(t.getFloat(i)).isEqualTo(VALUES[i]);
        }
        assertThat(t.getFloat(1, 2)).isEqualTo(1024f);
        assertThat(t.row(1).shape()).isEqualTo(Shape.of(3));
        assertThat(t.row(1).toFloatArray()).containsExactly(3.25f, -0f, 1024f);
    }

    @Test
    void storesLittleEndian() {
        Tensor t = Tensor.fromFloats(Shape.of(1), DType.BF16, 1f);
        assertThat(t.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 0x80);
        assertThat(t.segment().get(ValueLayout.JAVA_BYTE, 1)).isEqualTo((byte) 0x3F);
    }

    @Test
    void readsUnalignedSegments() {
        MemorySegment bytes = MemorySegment.ofArray(new byte[1 + 3 * 4]);
        ValueLayout.OfFloat le = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 3; i++) {
            bytes.set(le, 1 + 4L * i, i + 0.5f);
        }
        Tensor t = new Tensor(Shape.of(3), DType.F32, bytes.asSlice(1));
        assertThat(t.toFloatArray()).containsExactly(0.5f, 1.5f, 2.5f);
        assertThat(t.getFloat(2)).isEqualTo(2.5f);
    }

    @Test
    void copyToHonoursOffsetAndBounds() {
        Tensor t = Tensor.fromFloats(Shape.of(3), DType.F16, 1f, 2f, 3f);
        float[] dst = new float[5];
        t.copyTo(dst, 2);
        assertThat(dst).containsExactly(0f, 0f, 1f, 2f, 3f);
        assertThatThrownBy(() -> t.copyTo(dst, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void isReadOnlyAndChecksBounds() {
        Tensor t = Tensor.fromFloats(Shape.of(2, 2), DType.F32, 1f, 2f, 3f, 4f);
        assertThat(t.segment().isReadOnly()).isTrue();
        assertThatThrownBy(() -> t.getFloat(4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.getFloat(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.getFloat(0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.row(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.row(0).getFloat(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsSegmentOfTheWrongSize() {
        MemorySegment seg = MemorySegment.ofArray(new byte[10]);
        assertThatThrownBy(() -> new Tensor(Shape.of(3), DType.F32, seg))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[3]").hasMessageContaining("10");
        // 2^62 elements of 4 bytes wrap to 0 in a long; must not match an empty segment.
        assertThatThrownBy(() -> new Tensor(Shape.of(1L << 62), DType.F32, MemorySegment.ofArray(new byte[0])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tensor.fromFloats(Shape.of(2), DType.F32, 1f))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scalarsEmptyTensorsAndReshape() {
        Tensor scalar = Tensor.fromFloats(Shape.of(), DType.BF16, 7f);
        assertThat(scalar.elementCount()).isEqualTo(1);
        assertThat(scalar.getFloat(0)).isEqualTo(7f);
        Tensor empty = Tensor.fromFloats(Shape.of(0, 4), DType.F32);
        assertThat(empty.toFloatArray()).isEmpty();
        Tensor conv = Tensor.fromFloats(Shape.of(2, 1, 2), DType.F32, 1f, 2f, 3f, 4f);
        assertThat(conv.reshape(Shape.of(2, 2)).getFloat(1, 0)).isEqualTo(3f);
        assertThatThrownBy(() -> conv.reshape(Shape.of(3))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readingAfterTheOwnerClosedFailsCleanly() {
        Tensor t;
        try (Arena arena = Arena.ofConfined()) {
            t = new Tensor(Shape.of(2), DType.F32, arena.allocate(8));
            assertThat(t.getFloat(1)).isZero();
        }
        assertThatThrownBy(() -> t.getFloat(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void toStringOmitsData() {
        assertThat(Tensor.fromFloats(Shape.of(2), DType.F16, 1f, 2f))
                .hasToString("Tensor[2] F16 (4 bytes)");
    }
}
