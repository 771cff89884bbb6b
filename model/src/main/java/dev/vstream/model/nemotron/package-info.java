/**
 * Nemotron-Flash (NVIDIA, NeurIPS 2025; nvidia/Nemotron-Flash-1B/3B) on the
 * {@link dev.vstream.model.lm} framework.
 *
 * <p>{@link dev.vstream.model.nemotron.NemotronFlash} is the
 * {@link dev.vstream.model.lm.LanguageModel}; its layer stack is a list of operators built from
 * {@code layer_types} (one forward loop): {@code DeltaNetMixer} ({@code deltanet}, checkpoint
 * attribute {@code gla}), {@code Mamba2Mixer} ({@code m2}/{@code m}, {@code mamba}),
 * {@code GroupedQueryAttention} ({@code a}, {@code self_attn}) and {@code FeedForward}
 * ({@code f}, {@code ffn}), each its own pre-RMSNorm and residual. Memory tokens are prepended
 * on the first forward and counted in {@link dev.vstream.model.lm.ContextState#position()};
 * logits are divided by the LM-head row norms. Config keys and tensor names are those of the
 * released checkpoints, bound in {@link dev.vstream.model.nemotron.NemotronFlashConfig} and the
 * operators' constructors.
 *
 * <p>Caches per operator (all fp32, in the context's slots in operator order): DeltaNet three
 * {@link dev.vstream.model.lm.ConvState}s (q, k, v) and a
 * {@link dev.vstream.model.lm.DeltaRuleState}; Mamba-2 a ConvState (x, B, C) and an
 * {@link dev.vstream.model.lm.SsmState}; attention a {@link dev.vstream.model.lm.KvCache}
 * holding the memory-token positions too; FFN none.
 *
 * <p>Sparse prefill (MMInference): NemotronFlash is a {@link dev.vstream.model.lm.SparsePrefill};
 * with {@link dev.vstream.model.lm.PrefillOptions} asking for it, a fresh context's prefill runs
 * operator by operator and each {@code a} operator whose heads are not all dense attends through
 * {@code dev.vstream.kernels.sparse.PermutedBlockSparseAttention} with its layer of the
 * {@code sparse_patterns.json} of the checkpoint folder (or of the options). The KV caches are
 * filled as by the dense prefill, so decode is unchanged.
 *
 * <p>Goldens: reference/nemotron/make_goldens.py (plain float64 PyTorch from the published
 * math, cross-checked against transformers' own Mamba2Mixer, Llama/Qwen3 attention, LlamaMLP
 * and the Qwen3-Next delta rule).
 */
package dev.vstream.model.nemotron;
