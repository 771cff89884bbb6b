package dev.vstream.model.lm;

/**
 * The hidden state of a selective state-space layer: {@code (rows, stateSize)}, one
 * {@code stateSize}-wide state per channel (Mamba-1: rows = d_inner, stateSize = d_state) or
 * per head-channel (Mamba-2: rows = heads * headDim). Starts at zero.
 */
public final class SsmState implements LayerCache {

    private final int rows;
    private final int stateSize;
    private final float[] state; // (rows, stateSize)

    public SsmState(int rows, int stateSize) {
        if (rows <= 0 || stateSize <= 0) {
            throw new IllegalArgumentException("rows and stateSize must be positive: " + rows + ", " + stateSize);
        }
        this.rows = rows;
        this.stateSize = stateSize;
        this.state = new float[Math.multiplyExact(rows, stateSize)];
    }

    private SsmState(SsmState other) {
        this.rows = other.rows;
        this.stateSize = other.stateSize;
        this.state = other.state.clone();
    }

    public int rows() {
        return rows;
    }

    public int stateSize() {
        return stateSize;
    }

    /** {@code (rows, stateSize)}, mutated in place by the layer. */
    public float[] state() {
        return state;
    }

    @Override
    public SsmState copy() {
        return new SsmState(this);
    }

    @Override
    public long sizeInBytes() {
        return (long) state.length * Float.BYTES;
    }

    @Override
    public String toString() {
        return "SsmState[" + rows + " x " + stateSize + "]";
    }
}
