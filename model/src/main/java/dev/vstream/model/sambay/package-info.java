/**
 * SambaY (Ren et al. 2025, arXiv 2507.06607) in the layout of Phi-4-mini-flash-reasoning
 * ({@code model_type "phi4flash"}): a {@link dev.vstream.model.lm.LanguageModel} on the shared
 * {@code model.lm} framework.
 *
 * <h2>Layers</h2>
 * {@link dev.vstream.model.sambay.SambaYConfig} derives the fixed plan from
 * {@code num_hidden_layers}: a self-decoder of Mamba-1 layers ({@code MambaMixer}) alternating with
 * sliding-window differential attention, the memory Mamba layer (exports its un-gated scan
 * output), the full differential attention layer whose K/V is the one shared cache (YOCO), and
 * a cross-decoder of gated memory units ({@code GatedMemoryUnit}) alternating with cross
 * attention over the shared K/V. Pre-LayerNorm (with bias), SwiGLU MLP, NoPE, LM head tied to
 * the embedding. The mixers form the sealed {@code TokenMixer} set; the stack is a list built
 * from the config and run by one forward loop for prefill and decode.
 *
 * <h2>Context state</h2>
 * Per Mamba layer a {@link dev.vstream.model.lm.ConvState} (last d_conv inputs) and an
 * {@link dev.vstream.model.lm.SsmState}; per sliding-window layer a
 * {@link dev.vstream.model.lm.SlidingWindowKvCache} (exactly the last {@code sliding_window}
 * keys: the reference cache's off-by-one after a short prompt is not reproduced); one
 * {@link dev.vstream.model.lm.KvCache} for the shared layer. The GMU and cross-attention layers
 * keep nothing, which is why a last-position prefill runs them on the last token only.
 *
 * <h2>Verification</h2>
 * {@code reference/sambay/make_goldens.py} builds a tiny random checkpoint with the real
 * tensor names and config keys and computes float64 logits from the published math; the tests
 * match them within 1e-4 relative (about 1e-6 in practice) for full-sequence prefill, chunked
 * prefill, step-by-step decode past the window, and resumed snapshots.
 */
package dev.vstream.model.sambay;
