#!/usr/bin/env bash
# Compiles mkd-tui with `--features cuda` on a machine with no CUDA installed (and no GPU): nvcc,
# the CUDA headers and the libraries the binary links against come from NVIDIA's PyPI wheels, in a
# venv under target/. Proves the CUDA path builds; running it needs a GPU (scripts/gpu-check.sh).
#
#   scripts/check-cuda-build.sh            # release build into target/cuda
#   FEATURES=cudnn scripts/check-cuda-build.sh   # cuDNN too (adds the nvidia-cudnn-cu13 wheel)
#   TESTS=1 scripts/check-cuda-build.sh          # the test binaries as well
#
# Env: CUDA_VENV (default target/cuda-venv), CUDA_WHEELS (the CUDA release to pin, default 13.4:
# candle 0.11's cudarc 0.19 knows CUDA up to 13.4 and reads the version from `nvcc --version`),
# CARGO_TARGET_DIR (default target/cuda), CUDA_COMPUTE_CAP (default 90), PROFILE (release|dev).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
export CUDA_VENV=${CUDA_VENV:-target/cuda-venv}
CUDA_WHEELS=${CUDA_WHEELS:-13.4}
FEATURES=${FEATURES:-cuda}
PROFILE=${PROFILE:-release}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/cuda}

if [ ! -x "$CUDA_VENV/bin/pip" ]; then
    python3 -m venv "$CUDA_VENV"
fi
wheels=(
    "nvidia-cuda-nvcc==$CUDA_WHEELS.*"    # nvcc, cudafe++, ptxas, fatbinary (cu13/bin)
    "nvidia-nvvm==$CUDA_WHEELS.*"         # cicc and libnvvm, which nvcc drives
    "nvidia-cuda-crt==$CUDA_WHEELS.*"     # crt/host_config.h and friends
    "nvidia-cuda-runtime==$CUDA_WHEELS.*" # cuda_runtime.h, libcudart
    "nvidia-cuda-nvrtc==$CUDA_WHEELS.*"   # libnvrtc (candle compiles some kernels at run time)
    "nvidia-cuda-cccl"                    # cub / thrust / libcu++ headers
    "nvidia-cublas==$CUDA_WHEELS.*"       # libcublas, libcublasLt
    "nvidia-curand"                       # libcurand
)
cudnn=0
case ",$FEATURES," in *,cudnn,*) cudnn=1 ;; esac
[ "$cudnn" = 1 ] && wheels+=("nvidia-cudnn-cu13")  # libcudnn (nvidia/cudnn/lib)
echo "== pip install ${wheels[*]}"
"$CUDA_VENV/bin/pip" install --quiet --disable-pip-version-check "${wheels[@]}"

# shellcheck source=scripts/cuda-env.sh
. scripts/cuda-env.sh
lib="$CUDA_ROOT/lib"
# The wheels ship only versioned sonames (libcublas.so.13); the linker looks for libNAME.so.
plain_sonames() {
    local so base plain
    for so in "$1"/lib*.so.*; do
        base=$(basename "$so")
        plain="$1/${base%%.so.*}.so"
        [ -e "$plain" ] || ln -s "$base" "$plain"
    done
}
plain_sonames "$lib"
if [ "$cudnn" = 1 ]; then
    # cudarc searches the lib/ folder under each of CUDA_ROOT and CUDNN_LIB.
    CUDNN_LIB=$(cd "$CUDA_ROOT/../cudnn" && pwd)
    export CUDNN_LIB
    plain_sonames "$CUDNN_LIB/lib"
    export LD_LIBRARY_PATH="$CUDNN_LIB/lib:$LD_LIBRARY_PATH"
fi
# cudarc links libcuda (the driver, not in any wheel). A stub with every driver symbol cudarc
# declares, soname libcuda.so.1, stands in at link time as the toolkit's lib/stubs/libcuda.so
# does; at run time the real driver's libcuda.so.1 is loaded.
if [ ! -e "$lib/stubs/libcuda.so" ]; then
    mkdir -p "$lib/stubs"
    sys=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/cudarc-0.19.*/src/driver/sys/mod.rs | tail -n1)
    grep -oE 'pub unsafe fn cu[A-Za-z0-9_]+' "$sys" | awk '{print "void " $4 "(void) {}"}' | sort -u \
        > "$lib/stubs/libcuda_stub.c"
    cc -shared -fPIC -Wl,-soname,libcuda.so.1 -o "$lib/stubs/libcuda.so" "$lib/stubs/libcuda_stub.c"
fi

echo "== nvcc: $(nvcc --version | tail -n2 | head -n1)"
echo "== CUDA_ROOT=$CUDA_ROOT CUDA_COMPUTE_CAP=$CUDA_COMPUTE_CAP CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
profile_flag=()
[ "$PROFILE" = release ] && profile_flag=(--release)
targets=(--bins)
[ "${TESTS:-0}" = 1 ] && targets+=(--tests)
echo "== cargo build ${profile_flag[*]} --locked --features $FEATURES ${targets[*]}"
cargo build "${profile_flag[@]}" --locked --features "$FEATURES" "${targets[@]}"
bin="$CARGO_TARGET_DIR/${PROFILE/dev/debug}/mkd-tui"
echo "== built $bin ($(du -h "$bin" | cut -f1))"
echo "== linked against:"
ldd "$bin" | grep -E 'cuda|cublas|curand|nvrtc|cudnn' || true
# The binary needs these at run time beside the driver (where no CUDA toolkit is installed):
echo "== run with: LD_LIBRARY_PATH=$lib${CUDNN_LIB:+:$CUDNN_LIB/lib}"
echo "== check-cuda-build: OK in $(( $(date +%s) - start )) s"
