package dev.vstream.kernels.sparse;

import dev.vstream.kernels.attention.AttentionShape;

/** What a pattern needs to build one head's passes: the inputs, the head, scratch. */
record PlanContext(float[] q, float[] k, AttentionShape shape, int head, int blockSize, LastQueryEstimate estimate) {

    int seqLen() {
        return shape.seqLen();
    }
}
