#!/usr/bin/env python3
"""Golden vectors for dev.vstream.model.sambay (SambaY in the Phi-4-mini-flash layout).

Builds a SMALL random checkpoint with the real phi4flash layer order, tensor names and
config keys (model_type "phi4flash"), and computes the logits the Java model must reproduce,
with a plain-PyTorch forward written from the published math (shared/notes/hybrid-models.md
sections 2.2-2.5, 3, 3b), not from any model code:

  layer plan (num_hidden_layers = L, here 8): layers 0 .. L/2-1 alternate Mamba-1 (even) and
  differential attention with a sliding window (odd); layer L/2 is Mamba-1 and also exports
  its un-gated scan output y (after the D skip, before the SiLU(z) gate) as the GMU memory;
  layer L/2+1 is full differential attention whose K/V the cross-decoder reuses (YOCO);
  after it GMU (even) and cross differential attention (odd, q-only Wqkv) alternate.
  Every layer: x += mixer(LN1(x)); x += fc2(SiLU(gate) * up) of LN2(x); LayerNorm with bias;
  NoPE; final_layernorm; LM head tied to embed_tokens (lm_head.weight not stored).

  Mamba-1:  [u | z] = W_in h;  u' = SiLU(causal depthwise conv_4(u) + b);
            [d | B | C] = W_x u';  dt = softplus(W_dt d + b_dt);  A = -exp(A_log)
            s_t = exp(dt A) s_(t-1) + dt B_t u'_t;  y_t = C_t . s_t + D u'_t;  out = W_out(y * SiLU(z))
  Diff attention (head pairs interleaved: q1 = even heads, q2 = odd heads; k, v likewise;
            value of kv pair j = [v_2j | v_2j+1]; q pair i uses kv pair i // (H / KV)):
            O = (1 - l_init) RMSNorm_(2 hd)(softmax(q1 k1^T/sqrt(hd) + M) V - lam softmax(q2 k2^T/sqrt(hd) + M) V)
            lam = exp(lq1 . lk1) - exp(lq2 . lk2) + l_init,  l_init = 0.8 - 0.6 exp(-0.3 layer)
            M causal; sliding-window layers: key j visible from query i iff i - window < j <= i
  GMU:      out = W_2(SiLU(W_1 h) * m), m = the memory layer's y at the same position.

The transformers MambaMixer (same parameter names; on CPU its pure-PyTorch path) is run on
layer 0 as an independent check of the Mamba math; its difference is recorded in the manifest
(2.4e-8 of a 2.2 output with transformers 5.17: that path takes A = -exp(A_log) in fp32, so
agreement is at fp32 rounding).

Outputs (all deterministic, fixed seed):
  sambay_tiny/config.json, sambay_tiny/model.safetensors   the checkpoint: projections,
        embedding, norms, conv and dt_proj in bf16 (as the real checkpoint), A_log, D and the
        lambda vectors in fp32
  goldens/sambay_tiny.safetensors  for each sequence S in (long, short):
        S.input_ids (F32, exact), S.logits (T, vocab) computed in float64 from the stored
        weights, S.logits_fp32 (PyTorch's own fp32 forward), S.hidden_states.N (T, hidden)
        N = 0 (embeddings) .. L (before the final norm), S.memory (T, d_inner)
  goldens/manifest.json            config, tokens, versions, fp32-vs-fp64 error, checks

Run (GPU machine or any host with torch + transformers + safetensors; CPU only, seconds):
    python3 reference/sambay/make_goldens.py --out /tmp/g/sambay
then copy /tmp/g/sambay into model/src/test/resources/sambay.
"""
import argparse
import json
import math
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

SEED = 1234
CONFIG = {
    "architectures": ["Phi4FlashForCausalLM"],
    "model_type": "phi4flash",
    "vocab_size": 256,
    "hidden_size": 64,
    "intermediate_size": 96,
    "num_hidden_layers": 8,
    "num_attention_heads": 8,
    "num_key_value_heads": 4,
    "sliding_window": 8,
    "layer_norm_eps": 1e-5,
    "hidden_act": "silu",
    "tie_word_embeddings": True,
    "max_position_embeddings": 4096,
    "mamba_d_state": 8,
    "mamba_d_conv": 4,
    "mamba_expand": 2,
    "mamba_dt_rank": "auto",
    "mamba_conv_bias": True,
    "mamba_proj_bias": False,
    "mb_per_layer": 2,
    "pad_token_id": 0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "bfloat16",
}
SEQUENCES = {"long": 27, "short": 5}


def dims(c):
    d = c["hidden_size"]
    return dict(
        d=d, L=c["num_hidden_layers"], H=c["num_attention_heads"], KV=c["num_key_value_heads"],
        hd=d // c["num_attention_heads"], I=c["intermediate_size"], V=c["vocab_size"],
        di=c["mamba_expand"] * d, ds=c["mamba_d_state"], k=c["mamba_d_conv"],
        rank=math.ceil(d / 16), window=c["sliding_window"], eps=c["layer_norm_eps"])


def layer_kind(i, L):
    if i < L // 2:
        return "mamba" if i % 2 == 0 else "swa"
    if i == L // 2:
        return "mamba_memory"
    if i == L // 2 + 1:
        return "full"
    return "gmu" if i % 2 == 0 else "cross"


def make_weights(c):
    """name -> (fp64 values, storage dtype)."""
    n = dims(c)
    g = torch.Generator().manual_seed(SEED)

    def normal(*shape, std=1.0, mean=0.0):
        return torch.randn(*shape, generator=g, dtype=torch.float64) * std + mean

    def linear(out, inp):
        return normal(out, inp, std=1 / math.sqrt(inp))

    w = {}
    bf, f32 = torch.bfloat16, torch.float32
    w["model.embed_tokens.weight"] = (normal(n["V"], n["d"], std=0.5), bf)
    for i in range(n["L"]):
        p = f"model.layers.{i}."
        for norm in ("input_layernorm", "post_attention_layernorm"):
            w[p + norm + ".weight"] = (normal(n["d"], std=0.1, mean=1.0), bf)
            w[p + norm + ".bias"] = (normal(n["d"], std=0.1), bf)
        w[p + "mlp.fc1.weight"] = (linear(2 * n["I"], n["d"]), bf)
        w[p + "mlp.fc2.weight"] = (linear(n["d"], n["I"]), bf)
        kind = layer_kind(i, n["L"])
        a = p + "attn."
        if kind.startswith("mamba"):
            di, ds = n["di"], n["ds"]
            w[a + "in_proj.weight"] = (linear(2 * di, n["d"]), bf)
            w[a + "conv1d.weight"] = (normal(di, 1, n["k"], std=0.5), bf)
            w[a + "conv1d.bias"] = (normal(di, std=0.1), bf)
            w[a + "x_proj.weight"] = (linear(n["rank"] + 2 * ds, di), bf)
            w[a + "dt_proj.weight"] = (linear(di, n["rank"]), bf)
            dt = torch.exp(torch.rand(di, generator=g, dtype=torch.float64)
                           * (math.log(0.5) - math.log(0.01)) + math.log(0.01))
            w[a + "dt_proj.bias"] = (dt + torch.log(-torch.expm1(-dt)), bf)  # softplus^-1(dt)
            a_log = torch.log(torch.arange(1, ds + 1, dtype=torch.float64)).repeat(di, 1)
            w[a + "A_log"] = (a_log + normal(di, ds, std=0.05), f32)
            w[a + "D"] = (normal(di, std=0.1, mean=1.0), f32)
            w[a + "out_proj.weight"] = (linear(n["d"], di), bf)
        elif kind in ("swa", "full", "cross"):
            q_out = n["H"] * n["hd"]
            out = q_out if kind == "cross" else q_out + 2 * n["KV"] * n["hd"]
            w[a + "Wqkv.weight"] = (linear(out, n["d"]), bf)
            w[a + "Wqkv.bias"] = (normal(out, std=0.1), bf)
            w[a + "out_proj.weight"] = (linear(n["d"], q_out), bf)
            w[a + "out_proj.bias"] = (normal(n["d"], std=0.1), bf)
            for lam in ("lambda_q1", "lambda_k1", "lambda_q2", "lambda_k2"):
                w[a + "inner_cross_attn." + lam] = (normal(n["hd"], std=0.1), f32)
            w[a + "inner_cross_attn.subln.weight"] = (normal(2 * n["hd"], std=0.1, mean=1.0), bf)
        else:  # gmu
            w[a + "in_proj.weight"] = (linear(n["di"], n["d"]), bf)
            w[a + "out_proj.weight"] = (linear(n["d"], n["di"]), bf)
    w["model.final_layernorm.weight"] = (normal(n["d"], std=0.1, mean=1.0), bf)
    w["model.final_layernorm.bias"] = (normal(n["d"], std=0.1), bf)
    # Round to the storage dtype: the reference then computes with exactly the stored values.
    stored = {k: v.to(dt).contiguous() for k, (v, dt) in w.items()}
    return stored


def mamba(W, a, h, n):
    """Mamba-1 over a whole sequence h (T, d); returns (out, y) with y the un-gated readout."""
    T, di = h.shape[0], n["di"]
    xz = h @ W[a + "in_proj.weight"].T
    u, z = xz[:, :di], xz[:, di:]
    conv = F.conv1d(F.pad(u.T, (n["k"] - 1, 0))[None], W[a + "conv1d.weight"], W[a + "conv1d.bias"],
                    groups=di)[0].T
    u = F.silu(conv)
    xdbl = u @ W[a + "x_proj.weight"].T
    delta, B, C = torch.split(xdbl, [n["rank"], n["ds"], n["ds"]], dim=-1)
    dt = F.softplus(delta @ W[a + "dt_proj.weight"].T + W[a + "dt_proj.bias"])
    A = -torch.exp(W[a + "A_log"])
    s = torch.zeros(di, n["ds"], dtype=h.dtype)
    ys = []
    for t in range(T):
        s = torch.exp(dt[t][:, None] * A) * s + dt[t][:, None] * B[t][None, :] * u[t][:, None]
        ys.append(s @ C[t] + W[a + "D"] * u[t])
    y = torch.stack(ys)
    return (y * F.silu(z)) @ W[a + "out_proj.weight"].T, y


def diff_attention(W, a, h, n, layer, window, kv=None):
    """Differential attention; kv = (k, v) of the YOCO layer for cross layers. Returns (out, (k, v))."""
    T, H, KV, hd = h.shape[0], n["H"], n["KV"], n["hd"]
    proj = h @ W[a + "Wqkv.weight"].T + W[a + "Wqkv.bias"]
    q = proj[:, :H * hd]
    if kv is None:
        k = proj[:, H * hd:H * hd + KV * hd]
        v = proj[:, H * hd + KV * hd:]
    else:
        k, v = kv
    Tk = k.shape[0]
    qh, kh = q.view(T, H, hd), k.view(Tk, KV, hd)
    q1, q2 = qh[:, 0::2], qh[:, 1::2]                  # (T, H/2, hd)
    k1, k2 = kh[:, 0::2], kh[:, 1::2]                  # (Tk, KV/2, hd)
    vp = v.view(Tk, KV // 2, 2 * hd)                   # pair j = [v_2j | v_2j+1]
    group = H // KV
    k1, k2, vp = (x.repeat_interleave(group, dim=1) for x in (k1, k2, vp))
    i = torch.arange(T)[:, None] + (Tk - T)
    j = torch.arange(Tk)[None, :]
    visible = (j <= i) & (i - j < window)
    mask = torch.zeros(T, Tk, dtype=h.dtype).masked_fill(~visible, float("-inf"))
    scale = 1 / math.sqrt(hd)

    def attend(qx, kx):
        scores = torch.einsum("thd,shd->hts", qx, kx) * scale + mask
        return torch.einsum("hts,shd->thd", torch.softmax(scores, dim=-1), vp)  # (T, H/2, 2hd)

    lam_init = 0.8 - 0.6 * math.exp(-0.3 * layer)
    c = a + "inner_cross_attn."
    lam = (torch.exp(torch.dot(W[c + "lambda_q1"], W[c + "lambda_k1"]))
           - torch.exp(torch.dot(W[c + "lambda_q2"], W[c + "lambda_k2"])) + lam_init)
    o = attend(q1, k1) - lam * attend(q2, k2)
    o = o * torch.rsqrt(o.pow(2).mean(-1, keepdim=True) + 1e-5) * W[c + "subln.weight"]
    o = (1 - lam_init) * o
    out = o.reshape(T, H * hd) @ W[a + "out_proj.weight"].T + W[a + "out_proj.bias"]
    return out, (k, v)


def forward(W, ids, n, window=None):
    """Full-sequence forward; returns logits (T, V), hidden states list, memory."""
    window = n["window"] if window is None else window
    x = W["model.embed_tokens.weight"][ids]
    hidden, memory, shared_kv = [x], None, None
    for i in range(n["L"]):
        p, kind = f"model.layers.{i}.", layer_kind(i, n["L"])
        a = p + "attn."
        h = F.layer_norm(x, (n["d"],), W[p + "input_layernorm.weight"], W[p + "input_layernorm.bias"], n["eps"])
        if kind.startswith("mamba"):
            out, y = mamba(W, a, h, n)
            if kind == "mamba_memory":
                memory = y
        elif kind == "swa":
            out, _ = diff_attention(W, a, h, n, i, window)
        elif kind == "full":
            out, shared_kv = diff_attention(W, a, h, n, i, 1 << 30)
        elif kind == "cross":
            out, _ = diff_attention(W, a, h, n, i, 1 << 30, kv=shared_kv)
        else:
            out = (F.silu(h @ W[a + "in_proj.weight"].T) * memory) @ W[a + "out_proj.weight"].T
        x = x + out
        h = F.layer_norm(x, (n["d"],), W[p + "post_attention_layernorm.weight"],
                         W[p + "post_attention_layernorm.bias"], n["eps"])
        gate, up = (h @ W[p + "mlp.fc1.weight"].T).chunk(2, dim=-1)
        x = x + (F.silu(gate) * up) @ W[p + "mlp.fc2.weight"].T
        hidden.append(x)
    h = F.layer_norm(x, (n["d"],), W["model.final_layernorm.weight"], W["model.final_layernorm.bias"], n["eps"])
    return h @ W["model.embed_tokens.weight"].T, hidden, memory


def transformers_mamba_check(W, n, ids):
    """Max |diff| between our Mamba and transformers' MambaMixer slow path on layer 0's input."""
    try:
        from transformers import MambaConfig
        from transformers.models.mamba.modeling_mamba import MambaMixer
        cfg = MambaConfig(hidden_size=n["d"], state_size=n["ds"], conv_kernel=n["k"], expand=2,
                          time_step_rank=n["rank"], use_conv_bias=True, use_bias=False, hidden_act="silu")
        mixer = MambaMixer(cfg, layer_idx=0).double()
        a = "model.layers.0.attn."
        state = {k[len(a):]: W[k] for k in W if k.startswith(a)}
        mixer.load_state_dict(state)
        x = W["model.embed_tokens.weight"][ids]
        h = F.layer_norm(x, (n["d"],), W["model.layers.0.input_layernorm.weight"],
                         W["model.layers.0.input_layernorm.bias"], n["eps"])
        # The pure-PyTorch path has had several names across versions; on CPU without the
        # mamba_ssm kernels plain forward() takes it too.
        run = getattr(mixer, "slow_forward", None) or getattr(mixer, "torch_forward", None) or mixer.forward
        with torch.no_grad():
            theirs = run(h[None])
        theirs = (theirs[0] if isinstance(theirs, tuple) else theirs)[0]
        ours, _ = mamba(W, a, h, n)
        return {"path": run.__name__, "max_abs_diff": float((theirs - ours).abs().max()),
                "output_absmax": float(ours.abs().max())}
    except Exception as e:  # recorded, not fatal: the check is a second opinion
        return f"not run: {type(e).__name__}: {e}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_grad_enabled(False)
    n = dims(CONFIG)
    stored = make_weights(CONFIG)
    folder = os.path.join(args.out, "sambay_tiny")
    os.makedirs(folder, exist_ok=True)
    os.makedirs(os.path.join(args.out, "goldens"), exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
    save_file(stored, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
    W64 = {k: v.to(torch.float64) for k, v in stored.items()}
    W32 = {k: v.to(torch.float32) for k, v in stored.items()}

    g = torch.Generator().manual_seed(SEED + 1)
    goldens, manifest = {}, {"config": CONFIG, "layers": [layer_kind(i, n["L"]) for i in range(n["L"])],
                             "torch": torch.__version__, "sequences": {}}
    for name, length in SEQUENCES.items():
        ids = torch.randint(3, n["V"], (length,), generator=g)
        logits, hidden, memory = forward(W64, ids, n)
        logits32, _, _ = forward(W32, ids, n)
        no_window, _, _ = forward(W64, ids, n, window=1 << 30)
        goldens[name + ".input_ids"] = ids.to(torch.float32)
        goldens[name + ".logits"] = logits.to(torch.float32)
        goldens[name + ".logits_fp32"] = logits32
        goldens[name + ".memory"] = memory.to(torch.float32)
        for i, hs in enumerate(hidden):
            goldens[f"{name}.hidden_states.{i}"] = hs.to(torch.float32)
        fp32_abs = float((logits32.double() - logits).abs().max())
        manifest["sequences"][name] = {
            "input_ids": ids.tolist(),
            "logits_absmax": float(logits.abs().max()),
            "torch_fp32_vs_fp64_max_abs": fp32_abs,
            "torch_fp32_vs_fp64_max_rel": fp32_abs / float(logits.abs().max()),
            "max_abs_change_without_window": float((no_window - logits).abs().max()),
            "greedy_next": logits.argmax(-1).tolist(),
        }
    try:
        import transformers
        manifest["transformers"] = transformers.__version__
    except ImportError:
        manifest["transformers"] = None
    manifest["transformers_mamba_slow_forward_max_abs_diff"] = transformers_mamba_check(
        W64, n, torch.tensor(manifest["sequences"]["long"]["input_ids"]))
    save_file({k: v.contiguous() for k, v in goldens.items()},
              os.path.join(args.out, "goldens", "sambay_tiny.safetensors"))
    with open(os.path.join(args.out, "goldens", "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps({k: v for k, v in manifest.items() if k != "config"}, indent=1))


if __name__ == "__main__":
    main()
