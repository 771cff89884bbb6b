package dev.vstream.kernels.sparse;

import dev.vstream.kernels.attention.AttentionShape;
import java.util.Random;

/**
 * Video-like q, k, v with real grid structure, for tests and benchmarks. Video tokens are
 * frames of {@code frameTokens} patches; a token's patch position {@code r = (t - spanStart)
 * mod frameTokens} carries an embedding {@code u_r} shared by q and k, so a query attends the
 * same patch in earlier frames (slanted lines with the frame period). Some patch positions
 * ("hot" ones, per kv head) carry a component every query of the head also carries (vertical
 * lines), the first token is a sink, and a slowly turning component makes neighbours attend
 * each other (local window). Text tokens are plain noise. Head {@code h} scales the structure
 * by its own strength, so heads differ.
 */
public final class SyntheticVideo {

    /** Score of a query against a hot patch position (vertical lines). */
    static final double HOT_SCORE = 5;
    /** Score of a query against the sink token 0. */
    static final double SINK_SCORE = 6;
    /** Score of a query against itself from the local component. */
    static final double LOCAL_SCORE = 3;

    public final float[] q; // (heads, seq, d)
    public final float[] k; // (kvHeads, seq, d)
    public final float[] v; // (kvHeads, seq, d)

    /**
     * @param gridStrength score of a same-patch pair after {@code 1/sqrt(d)}, per head
     *                     (0 for a head without grid structure)
     */
    public SyntheticVideo(AttentionShape shape, ModalitySpans spans, int frameTokens, double[] gridStrength,
                          long seed) {
        Random random = new Random(seed);
        int n = shape.seqLen();
        int d = shape.headDim();
        q = new float[shape.queryLength()];
        k = new float[shape.keyLength()];
        v = new float[shape.keyLength()];
        double root = Math.sqrt(d);
        float[][] patch = new float[frameTokens][];
        for (int r = 0; r < frameTokens; r++) {
            patch[r] = unit(random, d);
        }
        float[] global = unit(random, d);
        // Scores are q.k / sqrt(d): a component c x unit vector on both sides scores c^2 / sqrt(d).
        double unit = Math.sqrt(root);
        double[] wavelengths = {20, 57, 163};
        float[][] driftCos = new float[wavelengths.length][];
        float[][] driftSin = new float[wavelengths.length][];
        for (int f = 0; f < wavelengths.length; f++) {
            driftCos[f] = unit(random, d);
            driftSin[f] = unit(random, d);
        }
        // Local attention: neighbours score about LOCAL_SCORE, falling off with distance.
        double drift = unit * Math.sqrt(LOCAL_SCORE / wavelengths.length);
        int[] patchOf = new int[n];
        boolean[] video = new boolean[n];
        for (ModalitySpans.Span span : spans.spans()) {
            for (int t = span.start(); t < span.end(); t++) {
                video[t] = span.modality() == Modality.VIDEO;
                patchOf[t] = (t - span.start()) % frameTokens;
            }
        }
        int group = shape.heads() / shape.kvHeads();
        for (int kv = 0; kv < shape.kvHeads(); kv++) {
            int hot = random.nextInt(frameTokens);
            double strength = gridStrength[kv * group];
            double amplitude = Math.sqrt(Math.max(strength, 0) * root);
            for (int t = 0; t < n; t++) {
                int at = (kv * n + t) * d;
                for (int p = 0; p < d; p++) {
                    double value = 0.3 * random.nextGaussian() + drift(t, p, wavelengths, driftCos, driftSin, drift);
                    if (video[t]) {
                        value += amplitude * patch[patchOf[t]][p];
                        if (patchOf[t] == hot) {
                            value += HOT_SCORE * unit * global[p];
                        }
                    }
                    if (t == 0) {
                        value += SINK_SCORE * unit * global[p];
                    }
                    k[at + p] = (float) value;
                    v[at + p] = (float) random.nextGaussian();
                }
            }
        }
        for (int h = 0; h < shape.heads(); h++) {
            double amplitude = Math.sqrt(Math.max(gridStrength[h], 0) * root);
            for (int t = 0; t < n; t++) {
                int at = (h * n + t) * d;
                for (int p = 0; p < d; p++) {
                    double value = 0.3 * random.nextGaussian() + drift(t, p, wavelengths, driftCos, driftSin, drift);
                    if (video[t]) {
                        value += amplitude * patch[patchOf[t]][p];
                    }
                    value += unit * global[p];
                    q[at + p] = (float) value;
                }
            }
        }
    }

    private static double drift(int t, int p, double[] wavelengths, float[][] cos, float[][] sin, double scale) {
        double value = 0;
        for (int f = 0; f < wavelengths.length; f++) {
            double angle = t / wavelengths[f];
            value += Math.cos(angle) * cos[f][p] + Math.sin(angle) * sin[f][p];
        }
        return scale * value;
    }

    private static float[] unit(Random random, int d) {
        float[] x = new float[d];
        double norm = 0;
        for (int p = 0; p < d; p++) {
            x[p] = (float) random.nextGaussian();
            norm += x[p] * x[p];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int p = 0; p < d; p++) {
            x[p] *= scale;
        }
        return x;
    }
}
