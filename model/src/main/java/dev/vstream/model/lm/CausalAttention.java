package dev.vstream.model.lm;

import dev.vstream.kernels.attention.RowAttentionLayout;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.OutputMode;
import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Shape;
import dev.vstream.kernels.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Scaled dot-product attention of one head over a run of consecutive key positions, with a
 * causal (and optionally sliding-window) mask:
 *
 * <pre>
 *   out_i = sum_j softmax_j(scale * q_i . k_j + M_ij) v_j
 *   M_ij = 0 if  pos(q_i) - window < pos(k_j) <= pos(q_i),  else -inf
 * </pre>
 *
 * The caller gathers the head's keys {@code (keys, headDim)} and transposed values
 * {@code (valueDim, keys)} into {@link #keys()} and {@link #valuesTransposed()} (from a cache,
 * from fresh projections, or both) in position order; both products then run on the kernels'
 * GEMM, the softmax on their activations. Owns growable scratch: one instance per model
 * instance, not thread-safe.
 */
public final class CausalAttention {

    /** No window: every earlier position is visible. */
    public static final int FULL = Integer.MAX_VALUE;

    private final CpuKernels kernels;
    private float[] keys = new float[0];             // (keys, headDim)
    private float[] valuesTransposed = new float[0]; // (valueDim, keys)
    private float[] queries = new float[0];          // (queries, headDim), scaled
    private float[] scores = new float[0];           // (queries, keys)
    private float[] output = new float[0];           // (queries, valueDim)

    public CausalAttention(CpuKernels kernels) {
        this.kernels = kernels;
    }

    /** Makes the gather buffers large enough for {@code keyCount} keys; call before gathering. */
    public void reserve(int keyCount, int headDim, int valueDim) {
        keys = grow(keys, (long) keyCount * headDim);
        valuesTransposed = grow(valuesTransposed, (long) keyCount * valueDim);
    }

    /** Key {@code j} of the current gather is {@code keys()[j * headDim, (j + 1) * headDim)}. */
    public float[] keys() {
        return keys;
    }

    /** Value {@code j}, element {@code d} of the current gather is {@code valuesTransposed()[d * keyCount + j]}. */
    public float[] valuesTransposed() {
        return valuesTransposed;
    }

    /**
     * Attends {@code queryCount} queries (rows of {@code q} from {@code qOffset} with stride
     * {@code qStride}, positions {@code firstQueryPosition ..}) over the {@code keyCount}
     * gathered keys at positions {@code firstKeyPosition ..}; writes rows of {@code valueDim}
     * into {@code out} from {@code outOffset} with stride {@code outStride}. Every query must
     * see at least one key.
     */
    public void attend(float[] q, int qOffset, int qStride, int queryCount, int firstQueryPosition,
            int keyCount, int firstKeyPosition, int headDim, int valueDim, int window, float scale,
            float[] out, int outOffset, int outStride) {
        queries = grow(queries, (long) queryCount * headDim);
        scores = grow(scores, (long) queryCount * keyCount);
        output = grow(output, (long) queryCount * valueDim);
        for (int i = 0; i < queryCount; i++) {
            for (int d = 0; d < headDim; d++) {
                queries[i * headDim + d] = q[qOffset + i * qStride + d] * scale;
            }
        }
        kernels.gemm().multiply(queries, 0, queryCount, view(keys, keyCount, headDim), null, scores, 0,
                OutputMode.OVERWRITE);
        for (int i = 0; i < queryCount; i++) {
            // Visible: queryPosition - window < keyPosition <= queryPosition, a run of keys [from, to); only the keys
            // outside it are touched (a question's rows over a long cache mask a handful each).
            long queryPosition = (long) firstQueryPosition + i;
            int from = (int) Math.clamp(queryPosition - window + 1 - firstKeyPosition, 0, keyCount);
            int to = (int) Math.clamp(queryPosition + 1 - firstKeyPosition, from, keyCount);
            int row = i * keyCount;
            Arrays.fill(scores, row, row + from, Float.NEGATIVE_INFINITY);
            Arrays.fill(scores, row + to, row + keyCount, Float.NEGATIVE_INFINITY);
        }
        kernels.activations().softmaxRows(scores, 0, queryCount, keyCount);
        kernels.gemm().multiply(scores, 0, queryCount, view(valuesTransposed, valueDim, keyCount), null, output, 0,
                OutputMode.OVERWRITE);
        for (int i = 0; i < queryCount; i++) {
            System.arraycopy(output, i * valueDim, out, outOffset + i * outStride, valueDim);
        }
    }

    /**
     * One query position (a decode step, a prompt's last row) over every position of {@code cache}, read in place
     * by the kernels' {@link dev.vstream.kernels.attention.RowAttention}: the frozen prefix (fp32 or bf16) and the
     * cache's own rows, each once, whatever the number of heads. No gather, no mask (every cached position is
     * visible to the newest one).
     *
     * @param query {@code (heads, headDim)} from {@code queryOffset}, not scaled
     * @param out   {@code (heads, valueWidth)} from {@code outOffset}
     */
    public void attendCached(float[] query, int queryOffset, RowAttentionLayout layout, KvCache cache, float scale,
            float[] out, int outOffset) {
        kernels.rowAttention().attend(query, queryOffset, layout, scale, cache.frozenRows(), cache.ownRows(), out,
                outOffset);
    }

    private static Tensor view(float[] data, int rows, int cols) {
        long bytes = (long) rows * cols * Float.BYTES;
        return new Tensor(Shape.of(rows, cols), DType.F32, MemorySegment.ofArray(data).asSlice(0, bytes));
    }

    private static float[] grow(float[] array, long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("attention buffer of " + size + " floats exceeds one Java array");
        }
        return array.length >= size ? array : Arrays.copyOf(array, (int) Math.max(size, Math.min(Integer.MAX_VALUE - 8, 2L * array.length)));
    }
}
