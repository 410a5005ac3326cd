#!/usr/bin/env python3
"""With PyTorch (not run in CI): load an export of `mkd-tui export` through its own model.py, check
that its logits on raw pixels equal `mkd-tui predict`'s, then save the model back as a teacher
file the way the README tells users to, plus two files that must be refused (an nn.Sequential
with other names, a torch.save pickle).

    torch_roundtrip.py EXPORT_DIR PREDICTIONS_CSV DATA_ROOT OUT_DIR [--limit 100]

Writes OUT_DIR/teacher.safetensors (state_dict of model.py's Model), OUT_DIR/sequential.safetensors
(MLP exports only) and OUT_DIR/teacher.pt.
"""

import argparse
import csv
import importlib.util
import json
import os
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_forward import raw_images  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export_dir")
    ap.add_argument("predictions")
    ap.add_argument("data_root")
    ap.add_argument("out_dir")
    ap.add_argument("--limit", type=int, default=100)
    a = ap.parse_args()

    spec = importlib.util.spec_from_file_location("exported", os.path.join(a.export_dir, "model.py"))
    exported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported)
    weights = os.path.join(a.export_dir, "model.safetensors")
    model = exported.Model()
    result = model.load_state_dict(load_file(weights), strict=True)
    model.eval()
    with safe_open(weights, "np") as f:
        meta = f.metadata()
    with open(a.predictions) as f:
        rows = list(csv.DictReader(f))[: a.limit]
    k = exported.NUM_CLASSES
    want = torch.tensor([[float(r[f"logit_{c}"]) for c in range(k)] for r in rows])
    pixels = raw_images(meta["dataset"], a.data_root, "test", [int(r["source_index"]) for r in rows])
    with torch.no_grad():
        got = model(exported.preprocess(pixels))
    diff = (got - want).abs().max().item()
    agree = (got.argmax(1) == want.argmax(1)).sum().item()
    print(f"torch {torch.__version__}: {exported.ARCH} load_state_dict(strict=True) -> {result}; "
          f"max |logit diff| {diff:.3g} on {len(rows)} images, predictions agree {agree}/{len(rows)}")

    os.makedirs(a.out_dir, exist_ok=True)
    save_file(model.state_dict(), os.path.join(a.out_dir, "teacher.safetensors"))
    torch.save(model.state_dict(), os.path.join(a.out_dir, "teacher.pt"))
    if json.loads(meta["spec"])["kind"] == "mlp":
        layers = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
        seq = []
        for layer in layers[:-1]:
            seq += [layer, torch.nn.ReLU()]
        seq = torch.nn.Sequential(torch.nn.Flatten(), *seq, layers[-1])
        save_file({k: v.contiguous() for k, v in seq.state_dict().items()},
                  os.path.join(a.out_dir, "sequential.safetensors"))
    print(f"wrote {a.out_dir}/teacher.safetensors, teacher.pt" +
          (", sequential.safetensors" if os.path.exists(os.path.join(a.out_dir, "sequential.safetensors")) else ""))
    if diff > 1e-4 or agree != len(rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
