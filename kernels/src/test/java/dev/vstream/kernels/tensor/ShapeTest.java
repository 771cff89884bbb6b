package dev.vstream.kernels.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShapeTest {

    @Test
    void countsElements() {
        assertThat(Shape.of().elementCount()).isEqualTo(1); // scalar
        assertThat(Shape.of(0, 5).elementCount()).isZero();
        assertThat(Shape.of(2048, 6144).elementCount()).isEqualTo(2048L * 6144);
        assertThat(Shape.of(1L << 31, 1L << 31).elementCount()).isEqualTo(1L << 62);
    }

    @Test
    void rejectsNegativeDimensionsOverflowAndHugeRank() {
        assertThatThrownBy(() -> Shape.of(3, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> Shape.of(1L << 32, 1L << 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overflows");
        assertThatThrownBy(() -> Shape.of(Long.MAX_VALUE, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overflows");
        assertThatThrownBy(() -> new Shape(new long[Shape.MAX_RANK + 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank");
        assertThatThrownBy(() -> new Shape(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void zeroDimensionDoesNotHideOverflowElsewhere() {
        // 0 * anything is 0, so the product never overflows once a zero is seen.
        assertThat(Shape.of(0, Long.MAX_VALUE, Long.MAX_VALUE).elementCount()).isZero();
    }

    @Test
    void isImmutable() {
        long[] dims = {2, 3};
        Shape shape = new Shape(dims);
        dims[0] = 99;
        shape.dims()[1] = 99;
        assertThat(shape.dims()).containsExactly(2, 3);
    }

    @Test
    void valueSemanticsAndAccessors() {
        Shape shape = Shape.of(4, 1, 7);
        assertThat(shape).isEqualTo(Shape.of(4, 1, 7)).hasSameHashCodeAs(Shape.of(4, 1, 7));
        assertThat(shape).isNotEqualTo(Shape.of(4, 7));
        assertThat(shape.rank()).isEqualTo(3);
        assertThat(shape.dim(0)).isEqualTo(4);
        assertThat(shape.dim(-1)).isEqualTo(7);
        assertThat(shape.dropFirst()).isEqualTo(Shape.of(1, 7));
        assertThat(shape.matches(4, 1, 7)).isTrue();
        assertThat(shape.matches(4, 7)).isFalse();
        assertThat(shape).hasToString("[4, 1, 7]");
        assertThatThrownBy(() -> shape.dim(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Shape.of().dropFirst()).isInstanceOf(IllegalArgumentException.class);
    }
}
