package dev.vstream.kernels.sparse;

import dev.vstream.kernels.attention.AttentionShape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The online estimate of a head's attention from its last queries (MInference / MMInference
 * Alg. 1 step 1): {@code A = softmax(Q[last] K^T / sqrt(d) + causal)} for the last (up to 64)
 * query tokens of a span, over all earlier keys, folded into
 *
 * <ul>
 *   <li>{@code columnMass[key]}: attention mass on each key column, summed over the rows;
 *   <li>{@code diagonalMass[distance]}: mass at each query-key distance (the slashes),
 * </ul>
 *
 * both in units of rows (each row sums to 1). Costs {@code rows x keys x d}, about 1/1000 of
 * dense attention at 64K tokens. Not thread-safe: one instance per thread.
 */
final class LastQueryEstimate {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** The paper's last_q. */
    static final int LAST_QUERIES = 64;

    private float[] scores = new float[0]; // (rows, keys)
    private float[] queries = new float[0]; // (d, rows) transposed, scaled
    private float[] rowMax = new float[0];
    private double[] rowSum = new double[0];
    double[] columnMass = new double[0];
    double[] diagonalMass = new double[0];
    /** Mass on sink and window keys, summed over the rows. */
    double coveredMass;
    /** Mass on keys outside the position map (other modalities), summed over the rows. */
    double otherMass;

    /**
     * Estimates head {@code head} from query tokens {@code rows} (ascending, at most
     * {@link #LAST_QUERIES}) over keys {@code [0, rows[last]]}. Mass on the pairs a sink and
     * window already hold ({@code key < sink || row - key < window}) goes to
     * {@link #coveredMass}; the rest is folded into {@link #columnMass} and
     * {@link #diagonalMass}, indexed by {@code position[token]} (a token's index in its
     * modality; {@code null} for the token itself). Keys with position -1 go to
     * {@link #otherMass}.
     */
    void estimate(float[] q, float[] k, AttentionShape shape, int head, int[] rows, int[] position,
                  int sink, int window) {
        int n = shape.seqLen();
        int count = rows.length;
        int keys = rows[count - 1] + 1;
        int padded = scores(q, k, shape, head, rows, keys);
        if (columnMass.length < n) {
            columnMass = new double[n];
            diagonalMass = new double[n];
        }
        java.util.Arrays.fill(columnMass, 0, n, 0);
        java.util.Arrays.fill(diagonalMass, 0, n, 0);
        coveredMass = 0;
        otherMass = 0;
        // Row maxima, then exp(score - max) in place, vectorised across the query rows.
        int lanes = SPECIES.length();
        if (rowMax.length < padded) {
            rowMax = new float[padded];
            rowSum = new double[padded];
        }
        java.util.Arrays.fill(rowMax, 0, padded, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < count; i++) {
            for (int key = 0; key <= rows[i]; key++) {
                rowMax[i] = Math.max(rowMax[i], scores[key * padded + i]);
            }
        }
        for (int i = count; i < padded; i++) {
            rowMax[i] = 0f;
        }
        for (int key = 0; key < keys; key++) {
            int at = key * padded;
            for (int i = 0; i < padded; i += lanes) {
                FloatVector.fromArray(SPECIES, scores, at + i).sub(FloatVector.fromArray(SPECIES, rowMax, i))
                        .lanewise(VectorOperators.EXP).intoArray(scores, at + i);
            }
        }
        for (int i = 0; i < count; i++) {
            double sum = 0;
            for (int key = 0; key <= rows[i]; key++) {
                sum += scores[key * padded + i];
            }
            rowSum[i] = sum;
        }
        for (int i = 0; i < count; i++) {
            int row = rows[i];
            double inverse = 1 / rowSum[i];
            int rowPosition = position == null ? row : position[row];
            for (int key = 0; key <= row; key++) {
                double w = scores[key * padded + i] * inverse;
                if (key < sink || row - key < window) {
                    coveredMass += w;
                    continue;
                }
                int keyPosition = position == null ? key : position[key];
                if (keyPosition < 0) {
                    otherMass += w;
                    continue;
                }
                columnMass[keyPosition] += w;
                diagonalMass[rowPosition - keyPosition] += w;
            }
        }
    }

    /** Scores {@code q_row . k_key / sqrt(d)} into {@code scores[key * padded + i]}; returns padded. */
    private int scores(float[] q, float[] k, AttentionShape shape, int head, int[] rows, int keys) {
        int n = shape.seqLen();
        int d = shape.headDim();
        int count = rows.length;
        int lanes = SPECIES.length();
        int padded = (count + lanes - 1) / lanes * lanes;
        if (scores.length < (long) padded * keys) {
            scores = new float[Math.max(padded * keys, scores.length)];
        }
        if (queries.length < padded * d) {
            queries = new float[padded * d];
        }
        float scale = (float) (1.0 / Math.sqrt(d));
        int qBase = head * n * d;
        for (int i = 0; i < padded; i++) {
            for (int p = 0; p < d; p++) {
                queries[p * padded + i] = i < count ? q[qBase + rows[i] * d + p] * scale : 0f;
            }
        }
        int kBase = shape.kvHeadOf(head) * n * d;
        // Four keys at a time, one vector of queries: four independent FMA chains.
        int key = 0;
        for (; key + 4 <= keys; key += 4) {
            int k0 = kBase + key * d;
            for (int i = 0; i < padded; i += lanes) {
                FloatVector a0 = FloatVector.zero(SPECIES);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int p = 0; p < d; p++) {
                    FloatVector x = FloatVector.fromArray(SPECIES, queries, p * padded + i);
                    a0 = x.fma(FloatVector.broadcast(SPECIES, k[k0 + p]), a0);
                    a1 = x.fma(FloatVector.broadcast(SPECIES, k[k0 + d + p]), a1);
                    a2 = x.fma(FloatVector.broadcast(SPECIES, k[k0 + 2 * d + p]), a2);
                    a3 = x.fma(FloatVector.broadcast(SPECIES, k[k0 + 3 * d + p]), a3);
                }
                a0.intoArray(scores, key * padded + i);
                a1.intoArray(scores, (key + 1) * padded + i);
                a2.intoArray(scores, (key + 2) * padded + i);
                a3.intoArray(scores, (key + 3) * padded + i);
            }
        }
        for (; key < keys; key++) {
            int kAt = kBase + key * d;
            for (int i = 0; i < padded; i += lanes) {
                FloatVector acc = FloatVector.zero(SPECIES);
                for (int p = 0; p < d; p++) {
                    acc = FloatVector.fromArray(SPECIES, queries, p * padded + i)
                            .fma(FloatVector.broadcast(SPECIES, k[kAt + p]), acc);
                }
                acc.intoArray(scores, key * padded + i);
            }
        }
        return padded;
    }

    /** The last {@code min(LAST_QUERIES, tokens.length)} of {@code tokens}. */
    static int[] lastRows(int[] tokens) {
        int count = Math.min(LAST_QUERIES, tokens.length);
        return java.util.Arrays.copyOfRange(tokens, tokens.length - count, tokens.length);
    }
}
