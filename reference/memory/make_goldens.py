#!/usr/bin/env python3
"""Golden inputs/outputs of the vstream memories for the Java tests (dev.vstream.memory.*GoldenTest).

For each configuration: a stream of random frame features made of a few "scenes" (a scene mean plus noise, so
the clusters mean something), run through memory_reference.py, and after every frame the memory read out.
Written as safetensors (little-endian, written here by hand so numpy is the only dependency), one file per
configuration, config in __metadata__ (so the Java test builds the same memory):

  frames            (T, H, W, C) f32     inputs
  timestamps        (T,) i64             micros
  attention.{q,k}_proj.{weight,bias}     (STAR only) semantic attention projections, (d, C) and (d),
                                         named as SemanticAttention.load(file, "attention.") reads them
  tokens            (T, maxTokens, C) f32  memory after frame t, zero padded
  token_count       (T,) i32
  token_kind        (T, maxTokens) i32   slot kind ordinal, -1 padding
  token_slot        (T, maxTokens) i32
  token_time        (T, maxTokens) i64   micros, -1 padding
  kmeans_labels     (T, N + 1) i32       cluster of [old centroids..., new frame], -1 when no K-means ran
  cluster_weights   (T, N) f64           weights after frame t, 0 padding
  cluster_times     (T, N) f64
  retrieved         (T, N_ret) i64       frame indices retrieved (STAR) / detail frames (Flash), -1 padding

Run:  python3 reference/memory/make_goldens.py --out services/memory/src/test/resources/memory-goldens
Deterministic (fixed seeds): rerunning reproduces the committed files.
"""
import argparse
import json
import os
import struct

import numpy as np

import memory_reference as ref

STAR_CONFIGS = {
    # 4x4x8 features, P_spa 2, P_tem 1: N_tem 3, one frame per abstract update (the streaming default)
    "star_small": dict(inputHeight=4, inputWidth=4, channels=8, spatialPool=2, temporalPool=1, abstractPool=1,
                       spatialFrames=1, temporalSlots=3, abstractSlots=3, retrievedFrames=2, bufferFrames=10,
                       abstractUpdateRatio=0.2, abstractChunkFrames=1, attentionDim=4, kmeansIterations=10,
                       seed=7, frames=40, scenes=4, stream_seed=101),
    # no spatial pooling, 2x2 temporal and abstract slots, chunks of 3 frames, 3 retrieved, 2 spatial
    "star_chunked": dict(inputHeight=4, inputWidth=4, channels=8, spatialPool=4, temporalPool=2, abstractPool=2,
                         spatialFrames=2, temporalSlots=5, abstractSlots=2, retrievedFrames=3, bufferFrames=12,
                         abstractUpdateRatio=0.3, abstractChunkFrames=3, attentionDim=6, kmeansIterations=10,
                         seed=11, frames=40, scenes=5, stream_seed=202),
    # frozen scenes (exact duplicate frames, as a static screen gives): k-means++ runs out of D^2 mass, clusters
    # go empty and are refilled, passes hit the cap; the paths random noise never reaches
    "star_frozen": dict(inputHeight=4, inputWidth=4, channels=8, spatialPool=2, temporalPool=1, abstractPool=1,
                        spatialFrames=1, temporalSlots=4, abstractSlots=3, retrievedFrames=3, bufferFrames=10,
                        abstractUpdateRatio=0.2, abstractChunkFrames=2, attentionDim=4, kmeansIterations=4,
                        seed=13, frames=40, scenes=3, stream_seed=505, frozen=(0, 2)),
}
FLASH_CONFIGS = {
    "flash_small": dict(inputHeight=4, inputWidth=4, channels=8, poolSize=2, synopsisSlots=6, detailSlots=3,
                        bankFrames=15, kmeansIterations=10, seed=5, frames=40, scenes=4, stream_seed=303),
    # non-square input, 3 passes at most (stops on the cap, not on convergence, more often)
    "flash_wide": dict(inputHeight=4, inputWidth=6, channels=8, poolSize=2, synopsisSlots=4, detailSlots=4,
                       bankFrames=8, kmeansIterations=3, seed=9, frames=40, scenes=6, stream_seed=404),
    "flash_frozen": dict(inputHeight=4, inputWidth=4, channels=8, poolSize=2, synopsisSlots=5, detailSlots=2,
                         bankFrames=12, kmeansIterations=5, seed=15, frames=40, scenes=3, stream_seed=606,
                         frozen=(0, 1)),
}
STREAM_KEYS = ("frames", "scenes", "stream_seed", "frozen")


def stream(cfg):
    """Frames in runs of scenes (scenes revisit), noise on each frame; timestamps ~1 fps with jitter."""
    rng = np.random.default_rng(cfg["stream_seed"])
    h, w, c = cfg["inputHeight"], cfg["inputWidth"], cfg["channels"]
    means = rng.normal(0, 1, size=(cfg["scenes"], h, w, c))
    scene_of = np.minimum(np.arange(cfg["frames"]) * cfg["scenes"] // cfg["frames"], cfg["scenes"] - 1)
    scene_of = np.where(np.arange(cfg["frames"]) % 9 == 8, scene_of[0], scene_of)  # revisits of scene 0
    noise = rng.normal(0, 0.35, size=(cfg["frames"], h, w, c))
    noise[np.isin(scene_of, cfg.get("frozen", ()))] = 0  # frozen scenes: every frame the same
    frames = (means[scene_of] + noise).astype(np.float32)
    times = (np.arange(cfg["frames"]) * 1_000_000 + rng.integers(0, 5000, cfg["frames"])).astype(np.int64)
    return frames, times


def attention_weights(cfg):
    rng = np.random.default_rng(cfg["seed"] + 1000)
    bound = 1 / np.sqrt(cfg["channels"])
    d, c = cfg["attentionDim"], cfg["channels"]
    return {name: rng.uniform(-bound, bound, size=shape).astype(np.float32)
            for name, shape in (("attention.q_proj.weight", (d, c)), ("attention.q_proj.bias", (d,)),
                                ("attention.k_proj.weight", (d, c)), ("attention.k_proj.bias", (d,)))}


def record(memory, cfg, frames, times, slots_n, retrieved_n, retrieve):
    t_count = len(frames)
    max_tokens = memory.max_tokens()
    c = cfg["channels"]
    out = {
        "tokens": np.zeros((t_count, max_tokens, c), np.float32),
        "token_count": np.zeros(t_count, np.int32),
        "token_kind": np.full((t_count, max_tokens), -1, np.int32),
        "token_slot": np.full((t_count, max_tokens), -1, np.int32),
        "token_time": np.full((t_count, max_tokens), -1, np.int64),
        "kmeans_labels": np.full((t_count, slots_n + 1), -1, np.int32),
        "cluster_weights": np.zeros((t_count, slots_n), np.float64),
        "cluster_times": np.zeros((t_count, slots_n), np.float64),
        "retrieved": np.full((t_count, max(1, retrieved_n)), -1, np.int64),
    }
    clusters = memory.temporal if hasattr(memory, "temporal") else memory.synopsis
    for t in range(t_count):
        memory.update(frames[t], int(times[t]))
        tok, kinds, slots, ttimes = memory.read()
        n = len(tok)
        out["tokens"][t, :n] = tok
        out["token_count"][t] = n
        out["token_kind"][t, :n] = kinds
        out["token_slot"][t, :n] = slots
        out["token_time"][t, :n] = ttimes
        if clusters.last_labels is not None:
            out["kmeans_labels"][t] = clusters.last_labels
        k = len(clusters.weights)
        out["cluster_weights"][t, :k] = clusters.weights
        out["cluster_times"][t, :k] = clusters.times
        r = retrieve()
        out["retrieved"][t, :len(r)] = r
    return out


DTYPES = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64", np.dtype(np.int32): "I32",
          np.dtype(np.int64): "I64"}


def save_safetensors(path, tensors, metadata):
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        array = np.ascontiguousarray(array)
        data = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, cfg in STAR_CONFIGS.items():
        frames, times = stream(cfg)
        weights = attention_weights(cfg)
        memory = ref.StarMemory(cfg, weights["attention.q_proj.weight"], weights["attention.q_proj.bias"],
                                weights["attention.k_proj.weight"], weights["attention.k_proj.bias"])
        out = record(memory, cfg, frames, times, cfg["temporalSlots"], cfg["retrievedFrames"], memory.retrieved)
        meta = {k: v for k, v in cfg.items() if k not in STREAM_KEYS}
        meta["memory"] = "star"
        save_safetensors(os.path.join(args.out, name + ".safetensors"),
                         {"frames": frames, "timestamps": times, **weights, **out}, meta)
        print(name, "tokens", out["token_count"][-1], "weights", out["cluster_weights"][-1],
              "retrieved", out["retrieved"][-1])
    for name, cfg in FLASH_CONFIGS.items():
        frames, times = stream(cfg)
        memory = ref.FlashMemory(cfg)
        out = record(memory, cfg, frames, times, cfg["synopsisSlots"], cfg["detailSlots"], memory.detail)
        meta = {k: v for k, v in cfg.items() if k not in STREAM_KEYS}
        meta["memory"] = "flash"
        save_safetensors(os.path.join(args.out, name + ".safetensors"),
                         {"frames": frames, "timestamps": times, **out}, meta)
        print(name, "tokens", out["token_count"][-1], "weights", out["cluster_weights"][-1],
              "detail", out["retrieved"][-1])


if __name__ == "__main__":
    main()
