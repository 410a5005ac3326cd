#!/usr/bin/env python3
"""The forward pass of a model exported by `mkd-tui export`, in NumPy alone (no PyTorch), from raw
pixels: checks that the weights, their names, the architecture in the metadata and the input
normalisation are enough to reproduce mkd-tui's logits (`mkd-tui predict`).

    numpy_forward.py EXPORT_DIR PREDICTIONS_CSV DATA_ROOT [--limit 100] [--tol 1e-4]

Reads EXPORT_DIR/model.safetensors (weights and metadata), the raw images named by the CSV's
`source_index` from DATA_ROOT (digits CSV or MNIST-style IDX files), and prints the largest
absolute logit difference over the first --limit rows. Exit status 1 when it exceeds --tol or a
prediction differs. Needs numpy and safetensors.
"""

import argparse
import csv
import gzip
import json
import os
import sys

import numpy as np
from safetensors import safe_open

BN_EPS = 1e-5  # PyTorch's and mkd-tui's batch-norm epsilon


def open_maybe_gz(path):
    if os.path.exists(path):
        return open(path, "rb")
    return gzip.open(path + ".gz", "rb")


def raw_images(dataset, root, split, indices):
    """Raw pixels [N, C, H, W] (uint8) of the images `indices` of the file they came from."""
    if dataset == "digits":
        with open_maybe_gz(os.path.join(root, "digits", "digits.csv")) as f:
            rows = []
            for line in f.read().decode().splitlines():
                fields = line.strip().split(",")
                if not line.strip():
                    continue
                try:
                    float(fields[0])
                except ValueError:
                    continue  # header
                rows.append([int(float(v)) for v in fields[:64]])
        return np.array([rows[i] for i in indices], dtype=np.uint8).reshape(-1, 1, 8, 8)
    if dataset in ("mnist", "fashion-mnist"):
        name = "t10k" if split == "test" else "train"
        with open_maybe_gz(os.path.join(root, dataset, f"{name}-images-idx3-ubyte")) as f:
            data = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
        return data[np.array(indices)]
    sys.exit(f"numpy_forward.py: dataset {dataset} is not supported here (digits, mnist, fashion-mnist)")


def normalise(pixels, meta):
    """mkd-tui's normalisation, in f64 then rounded to f32 as mkd-tui does: (p * (1/max) - mean) / std."""
    scale = 1.0 / float(meta["pixel_max"])
    mean = np.array(json.loads(meta["mean"]), dtype=np.float32).astype(np.float64)
    std = np.array(json.loads(meta["std"]), dtype=np.float32).astype(np.float64)
    x = pixels.astype(np.float64) * scale
    x = (x - mean.reshape(1, -1, 1, 1)) / std.reshape(1, -1, 1, 1)
    return x.astype(np.float32)


def linear(w, x, name):
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def relu(x):
    return np.maximum(x, 0)


def conv2d(x, weight, bias, stride, pad):
    """x [B, C, H, W], weight [O, C, k, k] -> [B, O, H', W'] (cross-correlation, as PyTorch)."""
    b, c, h, wd = x.shape
    o, _, k, _ = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho = (h + 2 * pad - k) // stride + 1
    wo = (wd + 2 * pad - k) // stride + 1
    cols = np.empty((b, c, k, k, ho, wo), dtype=x.dtype)
    for i in range(k):
        for j in range(k):
            cols[:, :, i, j] = xp[:, :, i : i + stride * ho : stride, j : j + stride * wo : stride]
    y = np.einsum("bcijhw,ocij->bohw", cols, weight, optimize=True)
    if bias is not None:
        y = y + bias.reshape(1, -1, 1, 1)
    return y


def batch_norm(x, w, name):
    mean = w[name + ".running_mean"].reshape(1, -1, 1, 1)
    var = w[name + ".running_var"].reshape(1, -1, 1, 1)
    gamma = w[name + ".weight"].reshape(1, -1, 1, 1)
    beta = w[name + ".bias"].reshape(1, -1, 1, 1)
    return (x - mean) / np.sqrt(var + BN_EPS) * gamma + beta


def max_pool2(x):
    b, c, h, wd = x.shape
    x = x[:, :, : h // 2 * 2, : wd // 2 * 2]
    return x.reshape(b, c, h // 2, 2, wd // 2, 2).max(axis=(3, 5))


def hidden_and_head(x, w, n_hidden):
    for i in range(n_hidden):
        x = relu(linear(w, x, f"fc{i}"))
    return linear(w, x, "head")


def forward(spec, w, x):
    """Logits [B, K] of inputs x [B, C, H, W] for the architecture `spec` (the metadata's JSON)."""
    kind = spec["kind"]
    if kind == "mlp":
        return hidden_and_head(x.reshape(x.shape[0], -1), w, len(spec["hidden"]))
    if kind == "plain_cnn":
        bn = spec.get("batch_norm", False)
        pool_every = spec.get("pool_every", 2)
        for i in range(len(spec["channels"])):
            x = conv2d(x, w[f"conv{i}.weight"], None if bn else w[f"conv{i}.bias"], 1, 1)
            if bn:
                x = batch_norm(x, w, f"bn{i}")
            x = relu(x)
            if (i + 1) % pool_every == 0:
                x = max_pool2(x)
        return hidden_and_head(x.reshape(x.shape[0], -1), w, len(spec.get("hidden", [])))
    if kind == "resnet_cifar":
        n = (spec["depth"] - 2) // 6

        def conv_bn(x, conv, bn, stride, pad):
            return batch_norm(conv2d(x, w[conv + ".weight"], None, stride, pad), w, bn)

        x = relu(conv_bn(x, "conv1", "bn1", 1, 1))
        for stage in range(3):
            for b in range(n):
                p = f"layer{stage + 1}.{b}"
                stride = 2 if stage > 0 and b == 0 else 1
                y = relu(conv_bn(x, p + ".conv1", p + ".bn1", stride, 1))
                y = conv_bn(y, p + ".conv2", p + ".bn2", 1, 1)
                if p + ".downsample.0.weight" in w:
                    s = conv_bn(x, p + ".downsample.0", p + ".downsample.1", stride, 0)
                else:
                    s = x
                x = relu(y + s)
        return linear(w, x.mean(axis=(2, 3)), "fc")
    sys.exit(f"numpy_forward.py: unknown architecture {kind}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("export_dir")
    ap.add_argument("predictions")
    ap.add_argument("data_root")
    ap.add_argument("--split", default="test")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--tol", type=float, default=1e-4)
    a = ap.parse_args()

    with safe_open(os.path.join(a.export_dir, "model.safetensors"), "np") as f:
        meta = f.metadata()
        w = {k: f.get_tensor(k).astype(np.float64) for k in f.keys() if not k.endswith("num_batches_tracked")}
    spec = json.loads(meta["spec"])
    with open(a.predictions) as f:
        rows = list(csv.DictReader(f))[: a.limit]
    k = int(meta["num_classes"])
    want = np.array([[float(r[f"logit_{c}"]) for c in range(k)] for r in rows])
    want_pred = np.array([int(r["predicted"]) for r in rows])
    pixels = raw_images(meta["dataset"], a.data_root, a.split, [int(r["source_index"]) for r in rows])
    x = normalise(pixels, meta).astype(np.float64)
    got = forward(spec, w, x)
    diff = float(np.abs(got - want).max())
    agree = int((got.argmax(axis=1) == want_pred).sum())
    print(f"{meta['arch']} on {len(rows)} {meta['dataset']} images: max |logit diff| {diff:.3g}, "
          f"predictions agree {agree}/{len(rows)}")
    if diff > a.tol or agree != len(rows):
        print(f"FAILED: tolerance {a.tol}")
        sys.exit(1)


if __name__ == "__main__":
    main()
