#!/usr/bin/env python3
"""mkd-tui against PyTorch CPU, side by side: for every round and case, `mkd-tui bench` and
`pytorch_reference.py` measure the case one right after the other (which goes first alternates),
so load from other jobs hits both alike. Prints every round and the ratios mkd-tui / PyTorch with
min / median / max.

    python3 benches/compare_pytorch.py --rounds 5 --seconds 2 --threads 2 --cases mlp,cnn,kd
    # A/B of two mkd-tui builds instead of PyTorch:
    python3 benches/compare_pytorch.py --against-mkd /tmp/mkd-other --cases mlp

Options: --mkd (default target/release/mkd-tui), --python (default: this interpreter; needs torch),
--json FILE (every measurement, for the record).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"compare_pytorch.py: {' '.join(cmd)} failed:\n{out.stderr}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def load():
    """The 1-minute load average (other jobs on the machine), or '-'."""
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except OSError:
        return "-"


def mmm(v):
    return min(v), statistics.median(v), max(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--cases", default="mlp,cnn,kd")
    ap.add_argument("--mkd", default="target/release/mkd-tui")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--against-mkd", help="compare with this mkd-tui binary instead of PyTorch")
    ap.add_argument("--json", help="write every measurement to this file")
    args = ap.parse_args()
    common = ["--threads", str(args.threads), "--seconds", str(args.seconds), "--rounds", "1",
              "--batch", str(args.batch), "--json"]
    cases = [c.strip() for c in args.cases.split(",")]
    # Preset cases: PyTorch builds them from mkd-tui's own description.
    described = os.path.abspath(".bench-cases.json")
    with open(described, "w") as f:
        f.write(subprocess.run([args.mkd, "bench", "--describe", "--cases", args.cases],
                               capture_output=True, text=True, check=True).stdout)
    names = [c["name"] for c in json.load(open(described))]
    a_label = "mkd-tui"
    if args.against_mkd:
        b_label = os.path.basename(args.against_mkd)

        def b_cmd(case):
            return [args.against_mkd, "bench", "--cases", case] + common
    else:
        b_label = "pytorch"

        def b_cmd(case):
            return [args.python, os.path.join(HERE, "pytorch_reference.py"), "--cases-from", described,
                    "--cases", case] + common

    def a_cmd(case):
        return [args.mkd, "bench", "--cases", case] + common

    rows = {n: [] for n in names}
    record = []
    print(f"{a_label} vs {b_label}: batch {args.batch}, {args.threads} threads, {args.rounds} rounds "
          f"of {args.seconds} s per phase, alternating\n")
    print(f"{'round':>5} {'case':<16} {'train A':>9} {'train B':>9} {'ratio':>6} "
          f"{'infer A':>9} {'infer B':>9} {'ratio':>6} {'peak A':>7} {'peak B':>7} {'load':>5}")
    for r in range(args.rounds):
        for name in names:
            order = [("a", a_cmd), ("b", b_cmd)] if r % 2 == 0 else [("b", b_cmd), ("a", a_cmd)]
            got = {}
            for side, cmd in order:
                res = [x for x in run_json(cmd(name)) if x["case"] == name]
                got[side] = res[0] if res else None
            record.append({"round": r + 1, "case": name, "a": got["a"], "b": got["b"]})
            a, b = got["a"], got["b"]
            if not a or not b:
                print(f"{r + 1:>5} {name:<16} (missing: {'A' if not a else 'B'})")
                continue
            ta, tb = a["train_images_per_s"][0], b["train_images_per_s"][0]
            ia, ib = a["infer_images_per_s"][0], b["infer_images_per_s"][0]
            rows[name].append((ta / tb, ia / ib, a["peak_rss_mib"], b["peak_rss_mib"]))
            print(f"{r + 1:>5} {name:<16} {ta:>9.0f} {tb:>9.0f} {ta / tb:>6.2f} {ia:>9.0f} {ib:>9.0f} "
                  f"{ia / ib:>6.2f} {a['peak_rss_mib'] or 0:>7.0f} {b['peak_rss_mib'] or 0:>7.0f} {load():>5}", flush=True)
    print(f"\nratio {a_label} / {b_label} (min / median / max over rounds)")
    print(f"{'case':<16} {'training':>22} {'inference':>22} {'peak MiB A / B (max)':>22}")
    for name, v in rows.items():
        if not v:
            continue
        t = mmm([x[0] for x in v])
        i = mmm([x[1] for x in v])
        pa = max(x[2] or 0 for x in v)
        pb = max(x[3] or 0 for x in v)
        print(f"{name:<16} {t[0]:>6.2f} {t[1]:>6.2f} {t[2]:>6.2f}   {i[0]:>6.2f} {i[1]:>6.2f} {i[2]:>6.2f}"
              f"   {pa:>9.0f} / {pb:.0f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(record, f, indent=1)
    os.remove(described)


if __name__ == "__main__":
    main()
