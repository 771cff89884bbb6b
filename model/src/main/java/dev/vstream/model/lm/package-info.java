/**
 * The language-model framework shared by the hybrid LMs ({@code model.sambay},
 * {@code model.nemotron}): the model contract, the context state with its layer caches, and
 * sampling.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link dev.vstream.model.lm.LanguageModel}: {@code vocabSize()}, {@code newContext()},
 *       {@code prefill(state, tokens, [Logits.LAST_POSITION | ALL_POSITIONS], logitsOut)},
 *       {@code decodeStep(state, token, logitsOut)}. Prefill works on a fresh or a non-empty
 *       context (memory prefills the visual context, QA the question on a resumed copy);
 *       decode must equal prefill of the same tokens up to rounding. One model instance per
 *       inference loop (it owns scratch and kernels); weights stay in the mapped checkpoint.</li>
 *   <li>{@link dev.vstream.model.lm.ContextState}: position plus one
 *       {@link dev.vstream.model.lm.LayerCache} per slot (slots chosen by the model in
 *       {@code newContext()}, fetched typed with {@code cache(slot, Kind.class)}), a
 *       {@code layout} string the model checks, {@code sizeInBytes()},
 *       {@code snapshot()} (deep, immutable) and {@code Snapshot.resume()} (a fresh copy that
 *       continues identically; one snapshot can be resumed many times).</li>
 *   <li>{@link dev.vstream.model.lm.LayerCache}, sealed, all fp32:
 *       {@link dev.vstream.model.lm.KvCache} (full attention, position-major, grows),
 *       {@link dev.vstream.model.lm.SlidingWindowKvCache} (ring buffer of exactly the last
 *       {@code window} positions: query {@code t} sees {@code t - window + 1 .. t}),
 *       {@link dev.vstream.model.lm.ConvState} (last {@code d_conv} raw inputs, oldest first),
 *       {@link dev.vstream.model.lm.SsmState} (rows x d_state),
 *       {@link dev.vstream.model.lm.DeltaRuleState} (heads x keyDim x valueDim).</li>
 *   <li>Building blocks: {@link dev.vstream.model.lm.Linear} ({@code nn.Linear} read in place;
 *       GEMM for a block of rows, GEMV for one row), {@link dev.vstream.model.lm.CausalAttention}
 *       (one head over gathered keys, causal + optional sliding window, both products on the
 *       GEMM). Norms, SiLU, softmax and residual adds are the kernels' own
 *       ({@code CpuKernels.norms()/activations()/elementwise()}).</li>
 *   <li>Sampling: {@link dev.vstream.model.lm.SamplingParams} (temperature, top-p, max tokens,
 *       stop tokens, seed), {@link dev.vstream.model.lm.Sampler} (greedy or seeded
 *       temperature/top-p), {@link dev.vstream.model.lm.Generator} (prefill, then sample /
 *       stream / decode until a stop token or the limit).</li>
 * </ul>
 *
 * <h2>Token mixers</h2>
 * A Java sealed interface must list its implementations in its own package (no named module
 * here), so each model keeps its own sealed mixer interface next to its mixers and builds its
 * layer stack as a list from the config: one forward loop per model, used by both prefill
 * (many rows) and decode (one row).
 */
package dev.vstream.model.lm;
