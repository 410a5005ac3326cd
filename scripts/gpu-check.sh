#!/usr/bin/env bash
# The GPU check of issue 14, in one go (< 10 min on one H100/H200, no internet): builds mkd-tui
# with `--features cuda`, runs the generic-vs-kernel tests with their generic side on the GPU
# (MKD_TEST_DEVICE=cuda), `mkd-tui bench --device cuda` (the reference cases and resnet20 /
# resnet56 / resnet110 at batch 128) and one short real run. Everything lands in
# ${OUT:-gpu-check-out}/: summary.txt (the figures), and the logs of each step.
#
# Needs: the NVIDIA driver; a CUDA toolkit (CUDA_ROOT, /usr/local/cuda, or the wheels that
# scripts/check-cuda-build.sh installs in target/cuda-venv); cargo with the crates already fetched
# (`cargo fetch` while online). With SKIP_BUILD=1 and MKD_BIN=path/to/mkd-tui it runs a binary
# built elsewhere (bench and run only; the tests need the build).
set -uo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
OUT=${OUT:-gpu-check-out}
mkdir -p "$OUT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/cuda}
summary="$OUT/summary.txt"
failed=0
: > "$summary"
say() { echo "$*" | tee -a "$summary"; }
# The whole check stays under 10 minutes: no step runs past this.
deadline=$(( start + ${BUDGET_S:-570} ))
# step NAME LIMIT_S CMD...: runs CMD with a time limit (cut to the deadline), output in
# $OUT/NAME.log; says how it went.
step() {
    local name=$1 limit=$2 t0 rc left
    shift 2
    t0=$(date +%s)
    left=$(( deadline - t0 ))
    if [ "$left" -lt 10 ]; then
        say "$name: skipped, the 10-minute budget is spent"
        failed=$(( failed + 1 ))
        return 124
    fi
    [ "$limit" -gt "$left" ] && limit=$left
    timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
    rc=$?
    say "$name: exit $rc in $(( $(date +%s) - t0 )) s (log: $OUT/$name.log)"
    [ "$rc" = 0 ] || failed=$(( failed + 1 ))
    return $rc
}

say "gpu-check $(date -u +%FT%TZ) on $(hostname), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader \
    > "$OUT/nvidia-smi.txt" 2>&1; then
    say "GPU: $(head -n1 "$OUT/nvidia-smi.txt")"
else
    say "nvidia-smi failed: $(head -n2 "$OUT/nvidia-smi.txt")"
fi
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n1 | tr -d '. ')
export CUDA_COMPUTE_CAP=${CUDA_COMPUTE_CAP:-${cap:-90}}

bin=${MKD_BIN:-$CARGO_TARGET_DIR/release/mkd-tui}
# The toolkit builds; its lib/ (runtime, cuBLAS, cuRAND, NVRTC) is what the binary loads.
# shellcheck source=scripts/cuda-env.sh
if . scripts/cuda-env.sh; then
    say "toolkit: $CUDA_ROOT ($(nvcc --version | tail -n2 | head -n1)), compute capability $CUDA_COMPUTE_CAP"
elif [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "no CUDA toolkit: cannot build (see scripts/cuda-env.sh)"
    exit 1
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    step build 330 cargo build --release --offline --locked --features cuda --bins \
        || { say "build failed: tail of $OUT/build.log:"; tail -n 30 "$OUT/build.log" | tee -a "$summary"; exit 1; }
fi

# The generic path on the GPU against the CPU kernels: each op, one epoch of the small CNN and of
# resnet8; the device field end to end (a cuda build).
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    export MKD_TEST_DEVICE=cuda
    step test-ops 150 cargo test --release --offline --locked --features cuda -p mkd-engine --lib \
        -- model:: train:: device::
    step test-epoch 150 cargo test --release --offline --locked --features cuda -p mkd-tui \
        --test generic_epoch --test cli_device -- --nocapture
    grep -hE "^test result|FAILED|panicked|largest difference" "$OUT"/test-*.log | tee -a "$summary"
    unset MKD_TEST_DEVICE
fi

# Training images/s on the GPU: the reference cases and the CIFAR ResNets at batch 128.
step bench 150 "$bin" bench --device cuda --batch 128 --seconds 3 --rounds 1 \
    --cases mlp,cnn,kd,kd-cached,resnet20,resnet56,resnet110
cat "$OUT/bench.log" >> "$summary"

# One short real run: the CNN chain on Fashion-MNIST, 2 epochs a stage, on the GPU.
step run 120 "$bin" run presets/fashion-cnn.yaml --headless --device cuda --out "$OUT/run" \
    --set training.epochs=2 --set stop.min_epochs=1 --set data.train_limit=20000
grep -E "trained on|wall time" "$OUT/run/report.md" 2>/dev/null | tee -a "$summary"
grep -E "^\|" "$OUT/run/report.md" 2>/dev/null | head -n 12 >> "$summary"
say "gpu-check: done in $(( $(date +%s) - start )) s, $failed step(s) failed"
[ "$failed" = 0 ]
