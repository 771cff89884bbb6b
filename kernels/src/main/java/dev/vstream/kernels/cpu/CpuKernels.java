package dev.vstream.kernels.cpu;

import dev.vstream.kernels.activation.Activations;
import dev.vstream.kernels.activation.ScalarActivations;
import dev.vstream.kernels.activation.VectorActivations;
import dev.vstream.kernels.attention.RowAttention;
import dev.vstream.kernels.attention.ScalarRowAttention;
import dev.vstream.kernels.attention.VectorRowAttention;
import dev.vstream.kernels.elementwise.Elementwise;
import dev.vstream.kernels.elementwise.ScalarElementwise;
import dev.vstream.kernels.elementwise.VectorElementwise;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.linalg.Gemm;
import dev.vstream.kernels.linalg.Gemv;
import dev.vstream.kernels.linalg.ScalarGemm;
import dev.vstream.kernels.linalg.ScalarGemv;
import dev.vstream.kernels.linalg.VectorGemm;
import dev.vstream.kernels.linalg.VectorGemv;
import dev.vstream.kernels.norm.Norms;
import dev.vstream.kernels.norm.ScalarNorms;
import dev.vstream.kernels.norm.VectorNorms;
import java.util.Objects;

/**
 * The CPU kernels of one model runtime, one implementation per op family, chosen once at
 * start-up from the detected {@link CpuFeatures} and handed to the model (no global instance,
 * no lookup by name):
 *
 * <pre>
 *   try (ComputePool pool = new ComputePool(threads)) {
 *       CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.AUTO, CpuFeatures.detect(), pool);
 *       model = new Model(weights, kernels);   // uses kernels.gemm(), kernels.norms(), ...
 *   }
 * </pre>
 *
 * The matrix kernels and the row attention run on the given pool (owned by the caller, closed after the kernels are
 * done); the pointwise kernels run on the calling thread. The scalar set ignores the pool.
 * Instances hold scratch buffers: one per inference loop, not shared between concurrent
 * callers.
 */
public record CpuKernels(Gemm gemm, Gemv gemv, Norms norms, Activations activations,
                         Elementwise elementwise, RowAttention rowAttention) {

    /** Which implementations to use; AUTO decides by {@link CpuFeatures#vectorKernelsPay()}. */
    public enum Choice { AUTO, VECTOR, SCALAR }

    private static final System.Logger LOG = System.getLogger(CpuKernels.class.getName());

    public CpuKernels {
        Objects.requireNonNull(gemm, "gemm");
        Objects.requireNonNull(gemv, "gemv");
        Objects.requireNonNull(norms, "norms");
        Objects.requireNonNull(activations, "activations");
        Objects.requireNonNull(elementwise, "elementwise");
        Objects.requireNonNull(rowAttention, "rowAttention");
    }

    /**
     * Picks the implementations for {@code features} and logs the choice once (one INFO line
     * on {@code System.Logger}, which Spring Boot routes to SLF4J).
     *
     * @throws IllegalStateException when VECTOR is requested but the Vector API is missing
     */
    public static CpuKernels select(Choice choice, CpuFeatures features, ComputePool pool) {
        Objects.requireNonNull(choice, "choice");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(pool, "pool");
        boolean vector = switch (choice) {
            case AUTO -> features.vectorKernelsPay();
            case SCALAR -> false;
            case VECTOR -> {
                if (!features.vectorApi()) {
                    throw new IllegalStateException("vector kernels requested but jdk.incubator.vector "
                            + "is not loaded (start the JVM with --add-modules jdk.incubator.vector)");
                }
                yield true;
            }
        };
        CpuKernels kernels = vector ? vector(pool) : scalar();
        LOG.log(System.Logger.Level.INFO, "CPU kernels ({0}): {1} on {2}", choice, kernels.describe(),
                features.summary());
        return kernels;
    }

    /** The Vector API set; the caller has checked that the Vector API is loaded. */
    static CpuKernels vector(ComputePool pool) {
        return new CpuKernels(new VectorGemm(pool), new VectorGemv(pool), new VectorNorms(),
                new VectorActivations(), new VectorElementwise(), new VectorRowAttention(pool));
    }

    /** The scalar double-precision reference set. */
    static CpuKernels scalar() {
        return new CpuKernels(new ScalarGemm(), new ScalarGemv(), new ScalarNorms(),
                new ScalarActivations(), new ScalarElementwise(), new ScalarRowAttention());
    }

    /** The chosen implementations, e.g. {@code VectorGemm[512-bit, tile 6x64, 2 threads], ...}. */
    public String describe() {
        return gemm + ", " + gemv + ", " + norms + ", " + activations + ", " + elementwise + ", " + rowAttention;
    }
}
