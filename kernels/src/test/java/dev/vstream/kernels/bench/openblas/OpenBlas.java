package dev.vstream.kernels.bench.openblas;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The few OpenBLAS entry points the benchmark compares against, bound over FFM: {@code
 * cblas_sgemm}, {@code cblas_sgemv}, {@code openblas_set_num_threads} and the introspection
 * calls. Owns the library mapping: {@link #close()} releases it, after which every call
 * fails.
 *
 * <p>The CBLAS functions return nothing and report a bad argument by calling {@code xerbla},
 * which prints to stderr and returns with the output untouched, so every argument is checked
 * here first and a mistake throws {@link OpenBlasException} naming the function. The thread
 * count is read back after it is set.
 */
public final class OpenBlas implements AutoCloseable {

    /** Debian's soname (libopenblas0-pthread / libopenblas0-openmp). */
    public static final String DEFAULT_LIBRARY = "libopenblas.so.0";

    private static final int CBLAS_ROW_MAJOR = 101;
    private static final int CBLAS_NO_TRANS = 111;
    private static final int CBLAS_TRANS = 112;

    private final Arena arena;
    private final String library;
    private final MethodHandle sgemm;
    private final MethodHandle sgemv;
    private final MethodHandle setNumThreads;
    private final MethodHandle getNumThreads;
    private final MethodHandle getConfig;

    private OpenBlas(Arena arena, String library, SymbolLookup symbols) {
        this.arena = arena;
        this.library = library;
        Linker linker = Linker.nativeLinker();
        ValueLayout i = ValueLayout.JAVA_INT;
        ValueLayout f = ValueLayout.JAVA_FLOAT;
        ValueLayout p = ValueLayout.ADDRESS;
        this.sgemm = bind(linker, symbols, "cblas_sgemm",
                FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, p, i, p, i, f, p, i));
        this.sgemv = bind(linker, symbols, "cblas_sgemv",
                FunctionDescriptor.ofVoid(i, i, i, i, f, p, i, p, i, f, p, i));
        this.setNumThreads = bind(linker, symbols, "openblas_set_num_threads", FunctionDescriptor.ofVoid(i));
        this.getNumThreads = bind(linker, symbols, "openblas_get_num_threads", FunctionDescriptor.of(i));
        this.getConfig = bind(linker, symbols, "openblas_get_config", FunctionDescriptor.of(p));
    }

    /** Maps {@code library} (a soname searched like {@code dlopen}, or a path). */
    public static OpenBlas load(String library) {
        Arena arena = Arena.ofShared();
        try {
            return new OpenBlas(arena, library, SymbolLookup.libraryLookup(library, arena));
        } catch (IllegalArgumentException e) {
            arena.close();
            throw new OpenBlasException("cannot load " + library
                    + " (install libopenblas0-pthread, or pass its path)", e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static MethodHandle bind(Linker linker, SymbolLookup symbols, String name,
                                     FunctionDescriptor descriptor) {
        MemorySegment symbol = symbols.find(name).orElseThrow(
                () -> new OpenBlasException("symbol " + name + " not found in the library"));
        return linker.downcallHandle(symbol, descriptor);
    }

    /**
     * {@code C (m, n) = A (m, k) W^T} with {@code W (n, k)}, all fp32 row-major in native
     * memory: {@code cblas_sgemm(RowMajor, NoTrans, Trans, ...)}.
     */
    public void sgemmNt(int m, int n, int k, MemorySegment a, MemorySegment w, MemorySegment c) {
        requireFloats("cblas_sgemm", "A", a, (long) m * k);
        requireFloats("cblas_sgemm", "W", w, (long) n * k);
        requireFloats("cblas_sgemm", "C", c, (long) m * n);
        int ld = Math.max(1, k);
        try {
            sgemm.invokeExact(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS, m, n, k, 1f,
                    a, ld, w, ld, 0f, c, Math.max(1, n));
        } catch (Throwable t) {
            throw new OpenBlasException("cblas_sgemm failed", t);
        }
    }

    /** {@code y (n) = W (n, k) x (k)}: {@code cblas_sgemv(RowMajor, NoTrans, ...)}. */
    public void sgemv(int n, int k, MemorySegment w, MemorySegment x, MemorySegment y) {
        requireFloats("cblas_sgemv", "W", w, (long) n * k);
        requireFloats("cblas_sgemv", "x", x, k);
        requireFloats("cblas_sgemv", "y", y, n);
        try {
            sgemv.invokeExact(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, n, k, 1f, w, Math.max(1, k),
                    x, 1, 0f, y, 1);
        } catch (Throwable t) {
            throw new OpenBlasException("cblas_sgemv failed", t);
        }
    }

    /** Sets OpenBLAS's thread count and checks that it took effect. */
    public void setThreads(int threads) {
        if (threads < 1) {
            throw new OpenBlasException("openblas_set_num_threads: thread count must be >= 1, got " + threads);
        }
        int actual;
        try {
            setNumThreads.invokeExact(threads);
            actual = (int) getNumThreads.invokeExact();
        } catch (Throwable t) {
            throw new OpenBlasException("openblas_set_num_threads failed", t);
        }
        if (actual != threads) {
            throw new OpenBlasException("openblas_set_num_threads(" + threads
                    + ") left openblas_get_num_threads() at " + actual
                    + " (library built with fewer MAX_THREADS, or OPENBLAS_NUM_THREADS fixed?)");
        }
    }

    /** The build configuration string, e.g. {@code OpenBLAS 0.3.21 DYNAMIC_ARCH ... SkylakeX}. */
    public String config() {
        MemorySegment text;
        try {
            text = (MemorySegment) getConfig.invokeExact();
        } catch (Throwable t) {
            throw new OpenBlasException("openblas_get_config failed", t);
        }
        if (text.equals(MemorySegment.NULL)) {
            throw new OpenBlasException("openblas_get_config returned NULL");
        }
        return text.reinterpret(4096).getString(0);
    }

    private static void requireFloats(String function, String name, MemorySegment segment, long count) {
        if (!segment.isNative()) {
            throw new OpenBlasException(function + ": " + name + " must be in native memory");
        }
        if (segment.byteSize() < count * Float.BYTES) {
            throw new OpenBlasException(function + ": " + name + " holds " + segment.byteSize()
                    + " bytes, needs " + count * Float.BYTES);
        }
    }

    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "OpenBlas[" + library + "]";
    }
}
