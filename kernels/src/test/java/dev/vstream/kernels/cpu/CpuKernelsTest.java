package dev.vstream.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.activation.ScalarActivations;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.linalg.ScalarGemm;
import dev.vstream.kernels.linalg.VectorGemm;
import dev.vstream.kernels.linalg.VectorGemv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuKernelsTest {

    @Test
    void autoPicksVectorKernelsWhereTheyPay() {
        CpuFeatures features = CpuFeatures.detect();
        assertThat(features.vectorApi()).as("surefire runs with --add-modules jdk.incubator.vector").isTrue();
        try (ComputePool pool = new ComputePool(2)) {
            CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.AUTO, features, pool);
            if (features.vectorKernelsPay()) {
                assertThat(kernels.gemm()).isInstanceOf(VectorGemm.class);
                assertThat(kernels.gemv()).isInstanceOf(VectorGemv.class);
                assertThat(kernels.describe()).contains("2 threads");
            } else {
                assertThat(kernels.gemm()).isInstanceOf(ScalarGemm.class);
            }
        }
    }

    @Test
    void explicitChoicesAreHonouredOrRefused() {
        try (ComputePool pool = new ComputePool(1)) {
            CpuKernels scalar = CpuKernels.select(CpuKernels.Choice.SCALAR, CpuFeatures.detect(), pool);
            assertThat(scalar.gemm()).isInstanceOf(ScalarGemm.class);
            assertThat(scalar.activations()).isInstanceOf(ScalarActivations.class);
            CpuFeatures withoutVectorApi = new CpuFeatures("amd64", 2, false, 0, Set.of("fma"));
            assertThat(withoutVectorApi.vectorKernelsPay()).isFalse();
            assertThatThrownBy(() -> CpuKernels.select(CpuKernels.Choice.VECTOR, withoutVectorApi, pool))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("--add-modules");
            assertThat(CpuKernels.select(CpuKernels.Choice.AUTO, withoutVectorApi, pool).gemm())
                    .isInstanceOf(ScalarGemm.class);
        }
    }

    @Test
    void fmaDecidesOnX86AndIsAssumedOnArm() {
        assertThat(new CpuFeatures("amd64", 4, true, 512, Set.of("avx512f", "fma")).vectorKernelsPay()).isTrue();
        assertThat(new CpuFeatures("amd64", 4, true, 128, Set.of("avx")).vectorKernelsPay()).isFalse();
        assertThat(new CpuFeatures("amd64", 4, true, 256, Set.of()).hasFma()).isTrue(); // flags unreadable
        assertThat(new CpuFeatures("aarch64", 4, true, 128, Set.of()).vectorKernelsPay()).isTrue();
        assertThat(new CpuFeatures("riscv64", 4, true, 128, Set.of()).vectorKernelsPay()).isFalse();
    }

    @Test
    void readsRelevantFlagsOfX86AndArmCpuinfo(@TempDir Path dir) throws IOException {
        Path x86 = dir.resolve("x86");
        Files.writeString(x86, "processor\t: 0\nmodel name\t: Xeon\nflags\t\t: fpu sse2 avx avx2 fma avx512f amx_bf16 amx_tile\n"
                + "processor\t: 1\nflags\t\t: fpu\n");
        assertThat(CpuFeatures.readFlags(x86)).containsExactlyInAnyOrder("avx", "avx2", "fma", "avx512f", "amx_bf16", "amx_tile");
        Path arm = dir.resolve("arm");
        Files.writeString(arm, "processor\t: 0\nFeatures\t: fp asimd evtstrm sve fphp\n");
        assertThat(CpuFeatures.readFlags(arm)).containsExactlyInAnyOrder("asimd", "sve", "fphp");
        assertThat(CpuFeatures.readFlags(dir.resolve("missing"))).isEmpty();
    }
}
