package dev.vstream.model.nemotron;

import java.util.Arrays;
import java.util.Optional;

/**
 * The operator codes of Nemotron-Flash's {@code layer_types}: each entry is one token mixer
 * or one FFN, each with its own pre-RMSNorm and residual connection.
 */
public enum OperatorType {
    /** DeltaNet (plain delta rule), the {@code gla} attribute of the checkpoint. */
    DELTANET("deltanet"),
    /** Mamba-2, the {@code mamba} attribute; the reference also accepts the code {@code m}. */
    MAMBA2("m2"),
    /** GQA softmax attention with RoPE, the {@code self_attn} attribute. */
    ATTENTION("a"),
    /** SwiGLU feed-forward, the {@code ffn} attribute with {@code pre_ffn_layernorm}. */
    FFN("f");

    private final String code;

    OperatorType(String code) {
        this.code = code;
    }

    /** The code as written in {@code layer_types}. */
    public String code() {
        return code;
    }

    /** The type of a {@code layer_types} entry, as the reference model reads it. */
    public static Optional<OperatorType> byCode(String code) {
        if (code.equals("m")) {
            return Optional.of(MAMBA2);
        }
        return Arrays.stream(values()).filter(t -> t.code.equals(code)).findFirst();
    }
}
