#!/usr/bin/env python3
"""PyTorch CPU reference for `mkd-tui bench`: the same cases, the same JSON lines.

Trains each case on random images (uniform in [-0.5, 0.5), 16 batches reused every epoch, the batch
gathered by index every step as mkd-tui does), then measures eval-mode inference with arg-max, for
`--rounds` rounds of `--seconds` seconds per phase. Each case runs in a child process of this
script, so its peak memory (VmHWM) is its own. Same initialisation kinds as mkd-tui (PyTorch's
defaults: kaiming_uniform(a=sqrt(5)) weights, uniform(+-1/sqrt(fan_in)) biases, BN weight 1, bias 0).

    python3 benches/pytorch_reference.py --threads 2 --cases mlp,cnn,kd,kd-cached [--json]
    target/release/mkd-tui bench --describe --cases quick/ > cases.json
    python3 benches/pytorch_reference.py --cases-from cases.json --json

Needs torch (CPU build: pip install torch --index-url https://download.pytorch.org/whl/cpu).
"""
import argparse
import json
import os
import subprocess
import sys
import time

MNIST = {"channels": 1, "height": 28, "width": 28}
ADAMW = {"kind": "adamw", "lr": 1e-3, "weight_decay": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
MLP = {"kind": "mlp", "hidden": [512, 256]}
CNN = {"kind": "plain_cnn", "channels": [32, 64], "pool_every": 1, "batch_norm": False, "hidden": [128]}
BATCHES_PER_EPOCH = 16


def reference_cases(batch):
    """The three cases of mkd-tui's `reference_cases` (src/bench/case.rs)."""
    base = {"input": MNIST, "classes": 10, "batch": batch, "optimizer": ADAMW, "kd": None}
    return [
        dict(base, name="mlp", model=MLP),
        dict(base, name="cnn", model=CNN),
        dict(base, name="kd", model=MLP, kd={"teacher": CNN, "temperature": 4.0, "alpha": 0.9, "cached": False}),
        dict(base, name="kd-cached", model=MLP,
             kd={"teacher": CNN, "temperature": 4.0, "alpha": 0.9, "cached": True}),
    ]


def build(spec, shape, classes):
    import torch.nn as nn

    layers = []
    c, h, w = shape["channels"], shape["height"], shape["width"]
    if spec["kind"] == "mlp":
        n = c * h * w
        layers.append(nn.Flatten())
    elif spec["kind"] == "plain_cnn":
        bn = spec.get("batch_norm", False)
        every = spec.get("pool_every", 2)
        for i, c_out in enumerate(spec["channels"]):
            layers.append(nn.Conv2d(c, c_out, 3, padding=1, bias=not bn))
            if bn:
                layers.append(nn.BatchNorm2d(c_out))
            layers.append(nn.ReLU())
            if (i + 1) % every == 0:
                layers.append(nn.MaxPool2d(2))
                h, w = h // 2, w // 2
            c = c_out
        layers.append(nn.Flatten())
        n = c * h * w
    else:
        raise NotImplementedError(spec["kind"])
    for width in spec.get("hidden", []):
        layers += [nn.Linear(n, width), nn.ReLU()]
        n = width
    layers.append(nn.Linear(n, classes))
    return nn.Sequential(*layers)


def optimizer(cfg, params):
    import torch

    if cfg["kind"] == "adamw":
        return torch.optim.AdamW(params, lr=cfg["lr"], weight_decay=cfg.get("weight_decay", 0.01),
                                 betas=(cfg.get("beta1", 0.9), cfg.get("beta2", 0.999)),
                                 eps=cfg.get("eps", 1e-8))
    return torch.optim.SGD(params, lr=cfg["lr"], momentum=cfg.get("momentum", 0.0),
                           weight_decay=cfg.get("weight_decay", 0.0), nesterov=cfg.get("nesterov", False))


def peak_rss_mib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def measure(case, rounds, seconds, threads):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(case["model"], case["input"], case["classes"])
    params = sum(p.numel() for p in model.parameters())
    kd = case.get("kd")
    teacher = None
    if kd:
        torch.manual_seed(1)
        teacher = build(kd["teacher"], case["input"], case["classes"]).eval()
        for p in teacher.parameters():
            p.requires_grad_(False)
    opt = optimizer(case["optimizer"], model.parameters())
    s, b = case["input"], case["batch"]
    n = BATCHES_PER_EPOCH * b
    g = torch.Generator().manual_seed(2)
    images = torch.rand((n, s["channels"], s["height"], s["width"]), generator=g) - 0.5
    labels = torch.randint(0, case["classes"], (n,), generator=g)
    batches = [torch.arange(i, min(i + b, n)) for i in range(0, n, b)]
    cached = None
    if teacher is not None and kd.get("cached"):
        with torch.no_grad():
            cached = torch.cat([teacher(images.index_select(0, idx)) for idx in batches])

    def step(idx):
        x, y = images.index_select(0, idx), labels.index_select(0, idx)
        out = model(x)
        if teacher is not None:
            if cached is not None:
                t = cached.index_select(0, idx)
            else:
                with torch.no_grad():
                    t = teacher(x)
            temp, alpha = kd["temperature"], kd["alpha"]
            soft = F.kl_div(F.log_softmax(out / temp, 1), F.softmax(t / temp, 1), reduction="batchmean")
            loss = (1 - alpha) * F.cross_entropy(out, y) + alpha * temp * temp * soft
        else:
            loss = F.cross_entropy(out, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    model.train()
    step(batches[0])  # warm-up
    train, infer = [], []
    for _ in range(rounds):
        model.train()
        done, busy = 0, 0.0
        while busy == 0.0 or busy < seconds:
            start = time.perf_counter()
            for idx in batches:
                step(idx)
            busy += time.perf_counter() - start
            done += n
        train.append(done / busy)
        model.eval()
        done, start = 0, time.perf_counter()
        with torch.no_grad():
            while done == 0 or time.perf_counter() - start < seconds:
                correct = 0
                for idx in batches:
                    x, y = images.index_select(0, idx), labels.index_select(0, idx)
                    correct += int((model(x).argmax(1) == y).sum().item())
                done += n
        infer.append(done / (time.perf_counter() - start))
    return {
        "implementation": "pytorch",
        "case": case["name"],
        "threads": torch.get_num_threads(),
        "batch": b,
        "params": params,
        "train_images_per_s": train,
        "infer_images_per_s": infer,
        "peak_rss_mib": peak_rss_mib(),
    }


def spread(v):
    s = sorted(v)
    if len(s) == 1:
        return f"{s[0]:.0f}"
    return f"{s[len(s) // 2]:.0f} ({s[0]:.0f}–{s[-1]:.0f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--cases", help="comma-separated names, or prefixes ending in / [all]")
    ap.add_argument("--cases-from", help="JSON array from `mkd-tui bench --describe` (replaces the built-in cases)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.cases_from:
        with open(args.cases_from) as f:
            cases = json.load(f)
    else:
        cases = reference_cases(args.batch)
    if args.child is not None:
        case = next(c for c in cases if c["name"] == args.child)
        print(json.dumps(measure(case, args.rounds, args.seconds, args.threads)))
        return
    if args.cases:
        items = [i.strip() for i in args.cases.split(",")]
        cases = [c for c in cases if any(c["name"] == i or (i.endswith("/") and c["name"].startswith(i))
                                         for i in items)]
        if not cases:
            sys.exit(f"pytorch_reference.py: --cases: nothing matches {args.cases!r}")
    if not args.json:
        print(f"pytorch, batch {args.batch}, {args.threads} threads, {args.rounds} round(s) of {args.seconds} s per phase")
        print(f"{'case':<22} {'params':>9} {'train images/s':>26} {'inference images/s':>26} {'peak MiB':>9}")
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    for case in cases:
        cmd = [sys.executable, __file__, "--child", case["name"], "--threads", str(args.threads),
               "--seconds", str(args.seconds), "--rounds", str(args.rounds), "--batch", str(args.batch)]
        if args.cases_from:
            cmd += ["--cases-from", args.cases_from]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            print(f"pytorch_reference.py: {case['name']} failed: {out.stderr.strip()}", file=sys.stderr)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        if args.json:
            print(json.dumps(r), flush=True)
        else:
            peak = "-" if r["peak_rss_mib"] is None else f"{r['peak_rss_mib']:.0f}"
            print(f"{r['case']:<22} {r['params']:>9} {spread(r['train_images_per_s']):>26} "
                  f"{spread(r['infer_images_per_s']):>26} {peak:>9}", flush=True)


if __name__ == "__main__":
    main()
