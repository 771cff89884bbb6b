#!/usr/bin/env python3
"""Golden vectors for dev.vstream.model.nemotron (Nemotron-Flash).

Builds a SMALL random checkpoint in the layout of nvidia/Nemotron-Flash-1B/3B (same tensor
names, same config keys, bf16 weights) and writes what the Java side must reproduce:

  flash_tiny/config.json, flash_tiny/model.safetensors
      hidden 64, 8 operators in the 1B order  deltanet f m2 f a f m2 f  (every operator type),
      4 attention heads / 2 KV heads of 16, DeltaNet 4 heads of 16, Mamba-2 d_inner 128 in
      8 heads of 16 with d_state 16, FFN 128, vocab 256, 4 memory tokens, untied LM head.
  goldens/flash_tiny.safetensors (fp32)
      input_ids           (T)               the fixed prompt, as floats
      logits              (T, vocab)        float64 reference, real positions only
      hidden_states.N     (M + T, hidden)   residual stream after operator N-1 (0 = embeddings
                                            with the memory tokens prepended), float64
      final_hidden        (M + T, hidden)   after the final RMSNorm
  flash_tiny_variant/, goldens/flash_tiny_variant.safetensors
      the same weights plus per-head q/k RMSNorm weights of the attention layer, with
      kq_norm "rms", NTK RoPE (rope_type "ntk", max 4096 / orig 1024 positions) and the
      alias "m" for the second Mamba-2 layer; goldens: input_ids and logits
  goldens/manifest.json   versions, config, the cross-checks below and their max differences

The reference is written from the published math (notes/hybrid-models.md 1.3 and 3b), one
operator per layer, each `x <- x + op(RMSNorm(x))`:
  f         SwiGLU FFN
  m2        Mamba-2, ngroups 1, gated RMSNorm(y * SiLU(z)) eps 1e-5, conv with bias, sequential scan
  a         GQA softmax attention, RoPE (rotate-half, theta from config, or the reference's NTK
            base theta * (2 max / orig - 1)^(d / (d - 2)) for rope_type "ntk"), causal; with
            kq_norm "rms" a per-head RMSNorm (eps 1e-6, the reference's RMSNorm default) of q
            and k before RoPE
  deltanet  SiLU(short conv) on q, k, v, L2-normalised q and k (eps 1e-6 under the root),
            beta = sigmoid(W_b h), plain delta rule as a recurrent loop, scale 1/sqrt(d_k),
            per-head RMSNorm (eps 1e-5)
Memory tokens are prepended on the first forward (positions 0..M+T-1) and dropped after the
final norm; logits are divided by the L2 norm of each LM-head row.

Cross-checks run on the same weights with transformers' own modules (recorded in the manifest,
not used for the goldens, because some of them cast to fp32 internally):
  Mamba2Mixer.forward on CPU (its pure-torch fallbacks: chunked SSD, chunk 8 so the 16 positions span two chunks),
  LlamaAttention (eager; Qwen3Attention for the q/k-norm variant) with LlamaRotaryEmbedding,
  LlamaMLP, LlamaRMSNorm,
  Qwen3-Next torch_chunk_gated_delta_rule with g = 0 (the plain delta rule) for DeltaNet.
The transformers modules get the checkpoint tensors through load_state_dict(strict=True),
which also proves the tensor names line up with transformers' module attributes.

Run (GPU machine or any host with torch + transformers + safetensors; CPU only, seconds):
    python3 reference/nemotron/make_goldens.py --out /tmp/g/nemotron
then copy /tmp/g/nemotron to model/src/test/resources/nemotron. Deterministic (fixed seed).
"""
import argparse
import json
import math
import os
import traceback

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

SEED = 20251126
INPUT_IDS = [1, 17, 200, 5, 99, 3, 42, 255, 0, 128, 64, 7]

CONFIG = {
    "architectures": ["NemotronFlashForCausalLM"],
    "model_type": "nemotron_flash",
    "attention_dropout": 0.0,
    "attn_hidden_size": -1,
    "attn_implementation": "fused_mha",
    "attn_implementation_new": "fused_mha",
    "bos_token_id": 1,
    "calc_logits_for_entire_prompt": False,
    "d_conv": 4,
    "dtype": "bfloat16",
    "eos_token_id": 2,
    "ffn_expand_ratio": 3,
    "global_attn_idx": [],
    "hidden_act": "silu",
    "hidden_size": 64,
    "hybrid_decoder_layer": "mamba",
    "initializer_range": 0.02,
    "intermediate_size": 0,
    "kq_head_dim": -1,
    "kq_norm": "none",
    "layer_types": ["deltanet", "f", "m2", "f", "a", "f", "m2", "f"],
    "mamba2_headdim": 16,
    "mamba_d_conv": 4,
    "mamba_d_state": 16,
    "mamba_expand": 2,
    "max_position_embeddings": 4096,
    "mlp_hidden_act": "silu",
    "num_attention_heads": 4,
    "num_hidden_layers": 8,
    "num_key_value_heads": 2,
    "num_memory_tokens": 4,
    "pad_token_id": 0,
    "rms_norm_eps": 1e-06,
    "rope": True,
    "rope_theta": 10000.0,
    "sliding_window": None,
    "tie_word_embeddings": False,
    "v_head_dim": -1,
    "vocab_size": 256,
}

# Same weights, other attention options: q/k RMSNorm, NTK RoPE, and the 'm' code for Mamba-2.
VARIANT = dict(CONFIG, kq_norm="rms", rope_type="ntk", orig_max_position_embeddings=1024,
               layer_types=["deltanet", "f", "m2", "f", "a", "f", "m", "f"])

DELTANET_CONV = 4          # FLA DeltaNet default conv_size (the HF code does not pass d_conv)
DELTANET_NORM_EPS = 1e-5   # FLA RMSNorm default in DeltaNet
MAMBA_NORM_EPS = 1e-5      # mamba_ssm gated RMSNorm in Mamba2
L2_EPS = 1e-6              # FLA l2norm
KQ_NORM_EPS = 1e-6         # the reference's RMSNorm default, used for q_norm / k_norm


def dims(cfg):
    h = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    d_inner = cfg["mamba_expand"] * h
    return dict(
        hidden=h, heads=heads, kv=cfg["num_key_value_heads"], head_dim=h // heads,
        ffn=int(cfg["ffn_expand_ratio"] * h) // 128 * 128,
        d_inner=d_inner, d_state=cfg["mamba_d_state"], m_heads=d_inner // cfg["mamba2_headdim"],
        m_headdim=cfg["mamba2_headdim"], m_conv=cfg["mamba_d_conv"],
        vocab=cfg["vocab_size"], mem=cfg["num_memory_tokens"])


def make_weights(cfg):
    """Random weights, scaled so every operator changes the residual stream by O(1)."""
    d = dims(cfg)
    g = torch.Generator().manual_seed(SEED)
    h = d["hidden"]

    def normal(*shape, std=1.0):
        return torch.randn(*shape, generator=g, dtype=torch.float32) * std

    def linear(out, inp):
        return normal(out, inp, std=1.0 / math.sqrt(inp))

    def norm_weight(n):
        return 1.0 + normal(n, std=0.1)

    w = {
        "model.embed_tokens.weight": normal(d["vocab"], h),
        "model.memory_tokens": normal(d["mem"], h),
        "model.final_layernorm.weight": norm_weight(h),
        "lm_head.weight": linear(d["vocab"], h) * (1.0 + torch.rand(d["vocab"], 1, generator=g)),
    }
    for i, kind in enumerate(cfg["layer_types"]):
        p = f"model.layers.{i}."
        if kind == "f":
            w[p + "pre_ffn_layernorm.weight"] = norm_weight(h)
            w[p + "ffn.gate_proj.weight"] = linear(d["ffn"], h)
            w[p + "ffn.up_proj.weight"] = linear(d["ffn"], h)
            w[p + "ffn.down_proj.weight"] = linear(h, d["ffn"])
            continue
        w[p + "input_layernorm.weight"] = norm_weight(h)
        if kind == "a":
            a = p + "self_attn."
            w[a + "q_proj.weight"] = linear(d["heads"] * d["head_dim"], h)
            w[a + "k_proj.weight"] = linear(d["kv"] * d["head_dim"], h)
            w[a + "v_proj.weight"] = linear(d["kv"] * d["head_dim"], h)
            w[a + "o_proj.weight"] = linear(h, d["heads"] * d["head_dim"])
        elif kind in ("m2", "m"):
            m = p + "mamba."
            conv_dim = d["d_inner"] + 2 * d["d_state"]
            w[m + "in_proj.weight"] = linear(2 * d["d_inner"] + 2 * d["d_state"] + d["m_heads"], h)
            w[m + "conv1d.weight"] = normal(conv_dim, 1, d["m_conv"], std=0.5)
            w[m + "conv1d.bias"] = normal(conv_dim, std=0.1)
            dt = torch.exp(torch.rand(d["m_heads"], generator=g) * (math.log(0.5) - math.log(0.01))
                           + math.log(0.01))
            w[m + "dt_bias"] = dt + torch.log(-torch.expm1(-dt))
            w[m + "A_log"] = torch.log(torch.rand(d["m_heads"], generator=g) * 7 + 1)
            w[m + "D"] = 1.0 + normal(d["m_heads"], std=0.3)
            w[m + "norm.weight"] = norm_weight(d["d_inner"])
            w[m + "out_proj.weight"] = linear(h, d["d_inner"])
        elif kind == "deltanet":
            n = p + "gla."
            for proj in ("q", "k", "v"):
                w[n + proj + "_proj.weight"] = linear(h, h)
                w[n + proj + "_conv1d.weight"] = normal(h, 1, DELTANET_CONV, std=0.5)
            w[n + "b_proj.weight"] = linear(d["heads"], h)
            w[n + "o_norm.weight"] = norm_weight(d["head_dim"])
            w[n + "o_proj.weight"] = linear(h, h)
        else:
            raise ValueError(kind)
    if cfg["kq_norm"] == "rms":  # drawn last, from their own stream: the other weights stay the same
        g2 = torch.Generator().manual_seed(SEED + 1)
        for i, kind in enumerate(cfg["layer_types"]):
            if kind == "a":
                for name in ("q_norm", "k_norm"):
                    w[f"model.layers.{i}.self_attn.{name}.weight"] = 1.0 + torch.randn(
                        d["head_dim"], generator=g2) * 0.2
    # Stored as bf16, like the released checkpoints; the references use these exact values.
    return {k: v.to(torch.bfloat16).contiguous() for k, v in w.items()}


# ----------------------------------------------------------------------------------------
# Plain reference, written from the math. x: (T, hidden) of the reference dtype.

def rms_norm(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def causal_depthwise_conv(x, weight, bias):
    """x (T, C), weight (C, 1, K): out[t, c] = sum_j w[c, j] x[t - K + 1 + j, c] (+ bias)."""
    k = weight.shape[-1]
    padded = F.pad(x, (0, 0, k - 1, 0))
    out = torch.zeros_like(x)
    for j in range(k):
        out = out + padded[j:j + x.shape[0]] * weight[:, 0, j]
    return out if bias is None else out + bias


def ffn(x, w, p):
    return F.linear(F.silu(F.linear(x, w[p + "gate_proj.weight"])) * F.linear(x, w[p + "up_proj.weight"]),
                    w[p + "down_proj.weight"])


def rope_base(cfg, head_dim):
    if cfg.get("rope_type") == "ntk":
        stretch = 2.0 * cfg["max_position_embeddings"] / cfg["orig_max_position_embeddings"] - 1.0
        return cfg["rope_theta"] * stretch ** (head_dim / (head_dim - 2))
    return cfg["rope_theta"]


def rope_tables(cfg, positions, head_dim, dtype):
    inv_freq = 1.0 / (rope_base(cfg, head_dim) ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    angles = positions.to(torch.float64)[:, None] * inv_freq[None, :]
    emb = torch.cat([angles, angles], dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half_plain(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def attention(x, w, p, cfg, positions):
    d = dims(cfg)
    t, hd = x.shape[0], d["head_dim"]
    q = F.linear(x, w[p + "q_proj.weight"]).view(t, d["heads"], hd)
    k = F.linear(x, w[p + "k_proj.weight"]).view(t, d["kv"], hd)
    v = F.linear(x, w[p + "v_proj.weight"]).view(t, d["kv"], hd)
    if cfg["kq_norm"] == "rms":
        q = rms_norm(q, w[p + "q_norm.weight"], KQ_NORM_EPS)
        k = rms_norm(k, w[p + "k_norm.weight"], KQ_NORM_EPS)
    cos, sin = rope_tables(cfg, positions, hd, x.dtype)
    q = q * cos[:, None] + rotate_half_plain(q) * sin[:, None]
    k = k * cos[:, None] + rotate_half_plain(k) * sin[:, None]
    group = d["heads"] // d["kv"]
    out = torch.zeros(t, d["heads"], hd, dtype=x.dtype)
    for head in range(d["heads"]):
        kv = head // group
        scores = q[:, head] @ k[:, kv].T / math.sqrt(hd)
        scores = scores.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf"))
        out[:, head] = torch.softmax(scores, dim=-1) @ v[:, kv]
    return F.linear(out.reshape(t, -1), w[p + "o_proj.weight"])


def mamba2(x, w, p, cfg):
    d = dims(cfg)
    t, di, n, nh, hp = x.shape[0], d["d_inner"], d["d_state"], d["m_heads"], d["m_headdim"]
    zxbcdt = F.linear(x, w[p + "in_proj.weight"])
    z, xbc, dt = torch.split(zxbcdt, [di, di + 2 * n, nh], dim=-1)
    xbc = F.silu(causal_depthwise_conv(xbc, w[p + "conv1d.weight"], w[p + "conv1d.bias"]))
    xs, b, c = torch.split(xbc, [di, n, n], dim=-1)
    dt = F.softplus(dt + w[p + "dt_bias"])
    a = -torch.exp(w[p + "A_log"])
    state = torch.zeros(nh, hp, n, dtype=x.dtype)
    y = torch.zeros(t, nh, hp, dtype=x.dtype)
    xs = xs.view(t, nh, hp)
    for i in range(t):
        decay = torch.exp(dt[i] * a)                                       # (nh)
        state = state * decay[:, None, None] + (dt[i][:, None, None] * xs[i][:, :, None]) * b[i][None, None, :]
        y[i] = state @ c[i] + w[p + "D"][:, None] * xs[i]
    y = y.reshape(t, di)
    y = rms_norm(y * F.silu(z), w[p + "norm.weight"], MAMBA_NORM_EPS)
    return F.linear(y, w[p + "out_proj.weight"])


def l2_normalize(x):
    return x * torch.rsqrt((x * x).sum(-1, keepdim=True) + L2_EPS)


def deltanet_qkvb(x, w, p, cfg):
    d = dims(cfg)
    t, hd = x.shape[0], d["head_dim"]
    q, k, v = (F.silu(causal_depthwise_conv(F.linear(x, w[p + s + "_proj.weight"]), w[p + s + "_conv1d.weight"], None))
               .view(t, d["heads"], hd) for s in ("q", "k", "v"))
    beta = torch.sigmoid(F.linear(x, w[p + "b_proj.weight"]))             # (T, H)
    return q, k, v, beta


def delta_rule_recurrent(q, k, v, beta):
    """S_t = S_{t-1} + k_t (beta_t (v_t - S_{t-1}^T k_t))^T, o_t = S_t^T (q_t / sqrt(d_k))."""
    t, heads, dk = q.shape
    q, k = l2_normalize(q) / math.sqrt(dk), l2_normalize(k)
    state = torch.zeros(heads, dk, v.shape[-1], dtype=q.dtype)
    out = torch.zeros_like(v)
    for i in range(t):
        for h in range(heads):
            s = state[h]
            u = beta[i, h] * (v[i, h] - s.T @ k[i, h])
            state[h] = s + torch.outer(k[i, h], u)
            out[i, h] = state[h].T @ q[i, h]
    return out


def deltanet(x, w, p, cfg, rule=delta_rule_recurrent):
    d = dims(cfg)
    q, k, v, beta = deltanet_qkvb(x, w, p, cfg)
    o = rule(q, k, v, beta)
    o = rms_norm(o, w[p + "o_norm.weight"], DELTANET_NORM_EPS)
    return F.linear(o.reshape(x.shape[0], d["hidden"]), w[p + "o_proj.weight"])


def forward_plain(cfg, w, ids, dtype):
    """Returns (logits (T, V), hidden states after each operator (M + T, hidden), final hidden)."""
    w = {k: v.to(dtype) for k, v in w.items()}
    eps = cfg["rms_norm_eps"]
    x = torch.cat([w["model.memory_tokens"], w["model.embed_tokens.weight"][ids]], dim=0)
    positions = torch.arange(x.shape[0])
    states = [x]
    for i, kind in enumerate(cfg["layer_types"]):
        p = f"model.layers.{i}."
        if kind == "f":
            x = x + ffn(rms_norm(x, w[p + "pre_ffn_layernorm.weight"], eps), w, p + "ffn.")
        else:
            h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
            if kind == "a":
                x = x + attention(h, w, p + "self_attn.", cfg, positions)
            elif kind in ("m2", "m"):
                x = x + mamba2(h, w, p + "mamba.", cfg)
            else:
                x = x + deltanet(h, w, p + "gla.", cfg)
        states.append(x)
    final = rms_norm(x, w["model.final_layernorm.weight"], eps)
    head = w["lm_head.weight"]
    logits = F.linear(final[cfg["num_memory_tokens"]:], head) / head.norm(p=2, dim=1)
    return logits, states, final


# ----------------------------------------------------------------------------------------
# The same model with transformers' own modules where transformers has the layer.

def forward_transformers(cfg, w, ids, dtype):
    from transformers import LlamaConfig, Mamba2Config
    from transformers.models.llama.modeling_llama import (
        LlamaAttention, LlamaMLP, LlamaRMSNorm, LlamaRotaryEmbedding)
    from transformers.models.mamba2.modeling_mamba2 import Mamba2Mixer
    from transformers.models.qwen3_next.modeling_qwen3_next import torch_chunk_gated_delta_rule

    d = dims(cfg)
    w = {k: v.to(dtype) for k, v in w.items()}
    base = rope_base(cfg, d["head_dim"])
    llama = LlamaConfig(hidden_size=d["hidden"], intermediate_size=d["ffn"], num_attention_heads=d["heads"],
                        num_key_value_heads=d["kv"], head_dim=d["head_dim"], rms_norm_eps=cfg["rms_norm_eps"],
                        max_position_embeddings=cfg["max_position_embeddings"], rope_theta=base,
                        attention_bias=False, mlp_bias=False, hidden_act="silu", num_hidden_layers=len(cfg["layer_types"]))
    llama._attn_implementation = "eager"
    mamba_cfg = Mamba2Config(num_heads=d["m_heads"], head_dim=d["m_headdim"], hidden_size=d["hidden"],
                             state_size=d["d_state"], expand=cfg["mamba_expand"], n_groups=1,
                             conv_kernel=d["m_conv"], use_conv_bias=True, use_bias=False,
                             layer_norm_epsilon=MAMBA_NORM_EPS, rms_norm=True, chunk_size=8,
                             time_step_limit=(0.0, float("inf")), num_hidden_layers=1)
    if not getattr(mamba_cfg, "layer_types", None):
        mamba_cfg.layer_types = ["mamba"]  # newer Mamba2Mixer reads its layer's entry

    def load(module, prefix):
        sub = {k[len(prefix):]: v for k, v in w.items() if k.startswith(prefix)}
        module.load_state_dict(sub, strict=True)
        return module.to(dtype).eval()

    def norm(prefix, n, eps):
        m = LlamaRMSNorm(n, eps=eps)
        return load(m, prefix)

    rotary = LlamaRotaryEmbedding(llama).to(dtype)
    inv = rotary.inv_freq.double()
    expected = 1.0 / (base ** (torch.arange(0, d["head_dim"], 2, dtype=torch.float64) / d["head_dim"]))
    assert float(inv[0]) == 1.0 and torch.allclose(inv, expected, rtol=1e-6), "rotary inv_freq is not the default RoPE"

    x = torch.cat([w["model.memory_tokens"], w["model.embed_tokens.weight"][ids]], dim=0)[None]
    t = x.shape[1]
    positions = torch.arange(t)[None]
    cos, sin = rotary(x, positions)
    mask = torch.full((t, t), float("-inf"), dtype=dtype).triu(1)[None, None]
    states = [x[0]]
    with torch.no_grad():
        for i, kind in enumerate(cfg["layer_types"]):
            p = f"model.layers.{i}."
            if kind == "f":
                h = norm(p + "pre_ffn_layernorm.", d["hidden"], cfg["rms_norm_eps"])(x)
                x = x + load(LlamaMLP(llama), p + "ffn.")(h)
            else:
                h = norm(p + "input_layernorm.", d["hidden"], cfg["rms_norm_eps"])(x)
                if kind == "a" and cfg["kq_norm"] == "rms":
                    from transformers import Qwen3Config
                    from transformers.models.qwen3.modeling_qwen3 import Qwen3Attention
                    qwen = Qwen3Config(hidden_size=d["hidden"], num_attention_heads=d["heads"],
                                       num_key_value_heads=d["kv"], head_dim=d["head_dim"], rms_norm_eps=KQ_NORM_EPS,
                                       attention_bias=False, num_hidden_layers=1, use_sliding_window=False)
                    qwen._attn_implementation = "eager"
                    attn = load(Qwen3Attention(qwen, layer_idx=0), p + "self_attn.")
                    x = x + attn(h, position_embeddings=(cos, sin), attention_mask=mask)[0]
                elif kind == "a":
                    attn = load(LlamaAttention(llama, layer_idx=i), p + "self_attn.")
                    x = x + attn(h, position_embeddings=(cos, sin), attention_mask=mask)[0]
                elif kind in ("m2", "m"):
                    mixer = Mamba2Mixer(mamba_cfg, layer_idx=0)
                    x = x + load(mixer, p + "mamba.")(h)
                else:
                    def rule(q, k, v, beta):
                        g = torch.zeros_like(beta)
                        o, _ = torch_chunk_gated_delta_rule(q[None], k[None], v[None], g[None], beta[None],
                                                            chunk_size=8, use_qk_l2norm_in_kernel=True)
                        return o[0].to(dtype)
                    x = x + deltanet(h[0], w, p + "gla.", cfg, rule)[None]
            states.append(x[0])
        final = norm("model.final_layernorm.", d["hidden"], cfg["rms_norm_eps"])(x)[0]
    head = w["lm_head.weight"]
    logits = F.linear(final[cfg["num_memory_tokens"]:], head) / head.norm(p=2, dim=1)
    return logits, states, final


def max_rel(a, b):
    a, b = a.double(), b.double()
    return float((a - b).abs().max() / b.abs().max())


def build(out, name, cfg, ids):
    """Writes the checkpoint and the goldens of one config; returns its manifest section."""
    os.makedirs(os.path.join(out, name), exist_ok=True)
    weights = make_weights(cfg)
    with open(os.path.join(out, name, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    save_file(weights, os.path.join(out, name, "model.safetensors"), metadata={"format": "pt"})

    logits64, states64, final64 = forward_plain(cfg, weights, ids, torch.float64)
    logits32, _, _ = forward_plain(cfg, weights, ids, torch.float32)
    section = {
        "layer_types": cfg["layer_types"],
        "kq_norm": cfg["kq_norm"],
        "rope_type": cfg.get("rope_type", "default"),
        "rope_base": rope_base(cfg, cfg["hidden_size"] // cfg["num_attention_heads"]),
        "golden": "plain reference (make_goldens.py forward_plain) in float64 on the bf16 weights",
        "plain_fp32_vs_fp64_max_rel": max_rel(logits32, logits64),
        "logits_max_abs": float(logits64.abs().max()),
    }
    try:
        logits_tf, states_tf, _ = forward_transformers(cfg, weights, ids, torch.float64)
        section["transformers_modules_vs_plain_max_rel"] = {
            "logits": max_rel(logits_tf, logits64),
            **{f"hidden_states.{i}": max_rel(a, b) for i, (a, b) in enumerate(zip(states_tf, states64))},
        }
        logits_tf32, _, _ = forward_transformers(cfg, weights, ids, torch.float32)
        section["transformers_modules_fp32_vs_plain_fp64_max_rel"] = max_rel(logits_tf32, logits64)
    except Exception:  # recorded, never hidden: the golden itself does not depend on it
        section["transformers_cross_check_error"] = traceback.format_exc()

    goldens = {"input_ids": ids.to(torch.float32), "logits": logits64.to(torch.float32)}
    if name == "flash_tiny":
        goldens["final_hidden"] = final64.to(torch.float32)
        for i, st in enumerate(states64):
            goldens[f"hidden_states.{i}"] = st.to(torch.float32).contiguous()
    save_file(goldens, os.path.join(out, "goldens", name + ".safetensors"), metadata={"format": "pt"})
    return section


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    out = parser.parse_args().out
    torch.set_grad_enabled(False)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    os.makedirs(os.path.join(out, "goldens"), exist_ok=True)
    ids = torch.tensor(INPUT_IDS)
    manifest = {"torch": torch.__version__, "seed": SEED, "input_ids": INPUT_IDS}
    try:
        import transformers
        manifest["transformers"] = transformers.__version__
    except ImportError:
        manifest["transformers"] = None
    manifest["flash_tiny"] = build(out, "flash_tiny", CONFIG, ids)
    manifest["flash_tiny_variant"] = build(out, "flash_tiny_variant", VARIANT, ids)
    with open(os.path.join(out, "goldens", "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
