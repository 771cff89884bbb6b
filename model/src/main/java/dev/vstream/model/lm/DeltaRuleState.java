package dev.vstream.model.lm;

/**
 * The fast-weight matrix of a delta-rule (DeltaNet / Gated DeltaNet) layer, one
 * {@code (keyDim, valueDim)} matrix per head: {@code S_t = S_(t-1) + beta_t k_t (v_t - S_(t-1)^T k_t)^T},
 * read out as {@code o_t = S_t^T q_t}. fp32, as the reference kernels keep it. Starts at zero.
 */
public final class DeltaRuleState implements LayerCache {

    private final int heads;
    private final int keyDim;
    private final int valueDim;
    private final float[] state; // (heads, keyDim, valueDim)

    public DeltaRuleState(int heads, int keyDim, int valueDim) {
        if (heads <= 0 || keyDim <= 0 || valueDim <= 0) {
            throw new IllegalArgumentException("heads, keyDim and valueDim must be positive: "
                    + heads + ", " + keyDim + ", " + valueDim);
        }
        this.heads = heads;
        this.keyDim = keyDim;
        this.valueDim = valueDim;
        this.state = new float[Math.multiplyExact(Math.multiplyExact(heads, keyDim), valueDim)];
    }

    private DeltaRuleState(DeltaRuleState other) {
        this.heads = other.heads;
        this.keyDim = other.keyDim;
        this.valueDim = other.valueDim;
        this.state = other.state.clone();
    }

    public int heads() {
        return heads;
    }

    public int keyDim() {
        return keyDim;
    }

    public int valueDim() {
        return valueDim;
    }

    /** {@code (heads, keyDim, valueDim)}, mutated in place by the layer. */
    public float[] state() {
        return state;
    }

    @Override
    public DeltaRuleState copy() {
        return new DeltaRuleState(this);
    }

    @Override
    public long sizeInBytes() {
        return (long) state.length * Float.BYTES;
    }

    @Override
    public String toString() {
        return "DeltaRuleState[" + heads + " x " + keyDim + " x " + valueDim + "]";
    }
}
