#!/usr/bin/env python3
"""Golden vectors for dev.vstream.model.vision and dev.vstream.model.projector.

Builds SMALL random checkpoints with transformers' own CLIPVisionModel and SiglipVisionModel
(save_pretrained, safetensors), saves the matching image processors' preprocessor_config.json,
builds an mlp2x_gelu projector as nn.Sequential(Linear, GELU, Linear), and writes what the Java
side must reproduce:

  goldens/clip_tiny.safetensors, goldens/siglip_tiny.safetensors (fp32)
      pixel_values            (images, 3, S, S)  the PIL-backend processor's output
      hidden_states.N         (images, seq, hidden) N = 0 (embeddings) .. num_layers
      last_hidden_state, pooler_output
      features                penultimate layer, CLS dropped (CLIP) - the Flash-VStream input
      projected               (CLIP only) the projector applied to `features`
  goldens/levels.safetensors  every uint8 level through rescale + normalize (no resize)
  goldens/preprocess224/*.png the resized (+ cropped) uint8 image at the real 224 size
  goldens/manifest.json       images, versions, processor classes, reference diffs

Model outputs are computed in float64 from the checkpoint as saved (so the golden is the exact
value of the stored weights, not PyTorch's fp32 rounding); the fp32-vs-fp64 difference of
PyTorch itself is recorded in the manifest for comparison.

Input images are synthetic and generated from integer formulas that the Java test repeats
(SyntheticImages), so no input image is stored.

Run (GPU machine or any host with torch + transformers + Pillow; CPU only, ~20 s):
    python3 reference/vision/make_goldens.py --out /tmp/g/vision
then copy /tmp/g/vision to model/src/test/resources/vision (about 1.5 MB). The run is
deterministic (fixed seeds), so rerunning reproduces the committed files.
"""
import argparse
import json
import math
import os
import zlib

import numpy as np
import PIL
import torch
import transformers
from PIL import Image
from safetensors.torch import save_file
from torch import nn
from transformers import CLIPVisionConfig, CLIPVisionModel, SiglipVisionConfig, SiglipVisionModel

# (width, height, seed): downscale landscape, upscale portrait, larger downscale, and a width of
# exactly 224, for which PIL skips the horizontal pass at the real size.
IMAGES = [(333, 250, 1), (97, 131, 2), (640, 360, 3), (224, 300, 4)]
SEED = 1234


def synthetic_image(width, height, seed):
    """RGB uint8 (height, width, 3): ramps, a disk, stripes and a hashed-noise block."""
    y, x = np.mgrid[0:height, 0:width].astype(np.uint64)
    r = (x * 255) // max(width - 1, 1)
    g = (y * 255) // max(height - 1, 1)
    b = (x * 3 + y * 5 + seed * 40) % 256
    h = ((x * 73856093) ^ (y * 19349663) ^ np.uint64(seed * 83492791)) & 0xFFFFFFFF
    h = (h * np.uint64(2654435761)) & 0xFFFFFFFF
    noise = (h >> np.uint64(24)) & 0xFF
    xi, yi = x.astype(np.int64), y.astype(np.int64)
    block = (xi >= width // 2) & (yi < height // 3)
    b = np.where(block, noise, b)
    cx, cy, rad = width // 3, height // 2, min(width, height) // 4
    disk = (xi - cx) ** 2 + (yi - cy) ** 2 < rad * rad
    r = np.where(disk, 255 - r, r)
    g = np.where(disk, 40, g)
    stripes = ((xi // 7) % 2 == 0) & (yi > (2 * height) // 3)
    g = np.where(stripes, 255, g)
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def levels_image():
    """16x16 RGB in which every channel takes each of the 256 levels once."""
    i = np.arange(256, dtype=np.int64).reshape(16, 16)
    return np.stack([i, 255 - i, (i * 7) % 256], axis=-1).astype(np.uint8)


def processor_classes():
    """(PIL-backend class, default class) for CLIP and SigLIP across transformers versions."""
    pil = {}
    for name in ("CLIP", "Siglip"):
        cls = getattr(transformers, name + "ImageProcessorPil", None)
        pil[name] = cls if cls is not None else getattr(transformers, name + "ImageProcessor")
    default = {n: getattr(transformers, n + "ImageProcessor") for n in ("CLIP", "Siglip")}
    return pil, default


def randomize(model, generator):
    """Weights ~ N(0, 1/fan_in), biases ~ N(0, 0.05), norms 1 + N(0, 0.1), embeddings N(0, 0.3)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1 and name.endswith("weight"):  # only layer norms have 1-D weights
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=generator))
            elif name.endswith("bias") and p.dim() == 1:
                p.copy_(0.05 * torch.randn(p.shape, generator=generator))
            elif p.dim() >= 2 and "position_embedding" not in name and "probe" not in name:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=generator) / math.sqrt(fan_in))
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=generator))


def run_model(model_cls, folder, pixels, dtype):
    model = model_cls.from_pretrained(folder, dtype=dtype, attn_implementation="eager").eval()
    with torch.no_grad():
        out = model(pixel_values=pixels.to(dtype), output_hidden_states=True)
    return model, out


def max_diffs(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    err = np.abs(a - b).max()
    return {"max_abs": float(err), "max_rel": float(err / max(np.abs(b).max(), 1e-30))}


def build(family, out, pil_images, pil_cls, default_cls, generator, manifest):
    tiny = os.path.join(out, family + "_tiny")
    if family == "clip":
        config = CLIPVisionConfig(hidden_size=64, intermediate_size=128, num_attention_heads=4,
                                  num_hidden_layers=3, patch_size=14, image_size=56,
                                  hidden_act="quick_gelu", layer_norm_eps=1e-5)
        model = CLIPVisionModel(config)
        processor = pil_cls["CLIP"](size={"shortest_edge": 56}, crop_size={"height": 56, "width": 56})
        store_dtype = torch.float32
    else:
        config = SiglipVisionConfig(hidden_size=64, intermediate_size=128, num_attention_heads=4,
                                    num_hidden_layers=2, patch_size=8, image_size=32,
                                    hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-6)
        model = SiglipVisionModel(config)
        processor = pil_cls["Siglip"](size={"height": 32, "width": 32})
        store_dtype = torch.bfloat16  # exercises the loader's bf16 widening
    randomize(model, generator)
    model.to(store_dtype).save_pretrained(tiny, safe_serialization=True)
    processor.save_pretrained(tiny)

    pixels = torch.from_numpy(np.asarray(processor(pil_images, return_tensors="np")["pixel_values"]))
    model64, out64 = run_model(type(model), tiny, pixels, torch.float64)
    _, out32 = run_model(type(model), tiny, pixels, torch.float32)
    goldens = {"pixel_values": pixels.float()}
    for i, h in enumerate(out64.hidden_states):
        goldens[f"hidden_states.{i}"] = h.float()
    goldens["last_hidden_state"] = out64.last_hidden_state.float()
    if out64.pooler_output is not None:
        goldens["pooler_output"] = out64.pooler_output.float()
    penultimate = out64.hidden_states[-2]
    goldens["features"] = (penultimate[:, 1:] if family == "clip" else penultimate).float()

    info = {"model_class": type(model).__name__, "processor_class": type(processor).__name__,
            "stored_dtype": str(store_dtype), "tensor_names": sorted(model64.state_dict().keys()),
            "pytorch_fp32_vs_fp64": {
                "last_hidden_state": max_diffs(out32.last_hidden_state, out64.last_hidden_state),
                "features": max_diffs(out32.hidden_states[-2], out64.hidden_states[-2])}}
    try:
        default = default_cls["CLIP" if family == "clip" else "Siglip"].from_pretrained(tiny)
        px = np.asarray(default(pil_images, return_tensors="np")["pixel_values"])
        info["default_processor"] = {"class": type(default).__name__, **max_diffs(px, pixels)}
    except Exception as e:  # torchvision missing, or the class is the PIL one already
        info["default_processor"] = {"error": repr(e)}

    if family == "clip":
        goldens["projected"] = projector(out, goldens["features"].double(), generator, info)
    save_file({k: v.contiguous() for k, v in goldens.items()},
              os.path.join(out, "goldens", family + "_tiny.safetensors"))
    manifest[family] = info


def projector(out, features, generator, info):
    """mlp2x_gelu: Linear(64 -> 96), GELU (erf), Linear(96 -> 96), as in LLaVA's builder."""
    mlp = nn.Sequential(nn.Linear(64, 96), nn.GELU(), nn.Linear(96, 96))
    randomize(mlp, generator)
    folder = os.path.join(out, "projector")
    os.makedirs(folder, exist_ok=True)
    state = {k: v.detach().float().contiguous() for k, v in mlp.state_dict().items()}
    save_file({"model.mm_projector." + k: v for k, v in state.items()}, os.path.join(folder, "mm_projector.safetensors"))
    save_file(state, os.path.join(folder, "mm_projector_plain.safetensors"))
    with torch.no_grad():
        projected = mlp.double()(features)
        info["projector_fp32_vs_fp64"] = max_diffs(mlp.float()(features.float()), projected)
    return projected.float()


def preprocess_224(out, pil_images, pil_cls, manifest):
    """The uint8 stage (resize, crop; no rescale/normalize) of the real-size processors as PNG."""
    folder = os.path.join(out, "goldens", "preprocess224")
    os.makedirs(folder, exist_ok=True)
    processors = {"clip": pil_cls["CLIP"](), "siglip": pil_cls["Siglip"](size={"height": 224, "width": 224})}
    sizes = {}
    for name, proc in processors.items():
        px = np.asarray(proc(pil_images, do_rescale=False, do_normalize=False, return_tensors="np")["pixel_values"])
        assert np.array_equal(px, np.round(px)) and px.min() >= 0 and px.max() <= 255
        for i, image in enumerate(px):
            Image.fromarray(image.transpose(1, 2, 0).astype(np.uint8)).save(os.path.join(folder, f"{name}_{i}.png"))
        sizes[name] = {"processor": type(proc).__name__, "config": json.loads(proc.to_json_string()), "shape": list(px.shape)}
    manifest["preprocess224"] = sizes

    levels = Image.fromarray(levels_image())
    table = {}
    for name, proc in processors.items():
        px = proc([levels], do_resize=False, do_center_crop=False, return_tensors="np")["pixel_values"]
        table[name] = torch.from_numpy(np.asarray(px, dtype=np.float32))
    save_file(table, os.path.join(out, "goldens", "levels.safetensors"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(os.path.join(args.out, "goldens"), exist_ok=True)
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)

    arrays = [synthetic_image(w, h, s) for w, h, s in IMAGES]
    pil_images = [Image.fromarray(a) for a in arrays]
    manifest = {
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "pillow": PIL.__version__},
        "images": [{"width": w, "height": h, "seed": s, "crc32": zlib.crc32(a.tobytes())}
                   for (w, h, s), a in zip(IMAGES, arrays)],
        "levels_crc32": zlib.crc32(levels_image().tobytes()),
    }
    pil_cls, default_cls = processor_classes()
    preprocess_224(args.out, pil_images, pil_cls, manifest)
    build("clip", args.out, pil_images, pil_cls, default_cls, generator, manifest)
    build("siglip", args.out, pil_images, pil_cls, default_cls, generator, manifest)
    with open(os.path.join(args.out, "goldens", "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    print(json.dumps({k: v for k, v in manifest.items() if k != "preprocess224"}, indent=1)[:6000])


if __name__ == "__main__":
    main()
