package dev.vstream.kernels.linalg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ComputePoolTest {

    @Test
    void everyMemberRunsEachJobOnceWithItsIndex() {
        try (ComputePool pool = new ComputePool(3)) {
            for (int job = 0; job < 1000; job++) {
                AtomicInteger[] runs = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
                pool.run((member, members) -> {
                    assertThat(members).isEqualTo(3);
                    runs[member].incrementAndGet();
                });
                assertThat(runs).allSatisfy(count -> assertThat(count).hasValue(1));
            }
        }
    }

    @Test
    void singleThreadRunsInlineOnTheCaller() {
        Thread caller = Thread.currentThread();
        try (ComputePool pool = new ComputePool(1)) {
            pool.run((member, members) -> {
                assertThat(Thread.currentThread()).isSameAs(caller);
                assertThat(member).isZero();
                assertThat(members).isOne();
            });
        }
    }

    @Test
    void workerFailureIsRethrownAndThePoolStaysUsable() {
        try (ComputePool pool = new ComputePool(2)) {
            assertThatThrownBy(() -> pool.run((member, members) -> {
                if (member == 1) {
                    throw new IllegalStateException("boom in member 1");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("boom in member 1");
            var threads = ConcurrentHashMap.newKeySet();
            pool.run((member, members) -> threads.add(Thread.currentThread()));
            assertThat(threads).hasSize(2);
        }
    }

    @Test
    void rejectsBadSizesAndUseAfterClose() {
        assertThatThrownBy(() -> new ComputePool(0)).isInstanceOf(IllegalArgumentException.class);
        ComputePool pool = new ComputePool(2);
        pool.close();
        pool.close(); // idempotent
        assertThatThrownBy(() -> pool.run((member, members) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
