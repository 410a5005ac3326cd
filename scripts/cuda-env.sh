# Sourced by scripts/check-cuda-build.sh and scripts/gpu-check.sh: points nvcc, cudarc and the
# linker at a CUDA toolkit. Uses $CUDA_ROOT when it holds bin/nvcc, else /usr/local/cuda, else the
# PyPI wheels under ${CUDA_VENV:-target/cuda-venv} (see check-cuda-build.sh, which installs them).
# Sets: CUDA_ROOT, PATH, LD_LIBRARY_PATH, CPATH, CUDA_COMPUTE_CAP (default 90: H100/H200).

cuda_env_wheel_root() {
    local venv=${CUDA_VENV:-target/cuda-venv}
    local root
    root=$(ls -d "$venv"/lib/python3*/site-packages/nvidia/cu13 2>/dev/null | head -n1)
    [ -n "$root" ] && [ -x "$root/bin/nvcc" ] && (cd "$root" && pwd)
}

if [ -n "${CUDA_ROOT:-}" ] && [ -x "$CUDA_ROOT/bin/nvcc" ]; then
    :
elif [ -x /usr/local/cuda/bin/nvcc ]; then
    CUDA_ROOT=/usr/local/cuda
elif root=$(cuda_env_wheel_root); then
    CUDA_ROOT=$root
else
    echo "cuda-env: no CUDA toolkit: set CUDA_ROOT, install one in /usr/local/cuda, or run scripts/check-cuda-build.sh (installs nvcc from PyPI into ${CUDA_VENV:-target/cuda-venv})" >&2
    return 1 2>/dev/null || exit 1
fi
export CUDA_ROOT
export PATH="$CUDA_ROOT/bin:$PATH"
# Headers: the toolkit's own, and CCCL (cub/thrust/libcu++) where the wheel keeps it.
export CPATH="$CUDA_ROOT/include:$CUDA_ROOT/include/cccl${CPATH:+:$CPATH}"
export LD_LIBRARY_PATH="$CUDA_ROOT/lib:$CUDA_ROOT/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export CUDA_COMPUTE_CAP=${CUDA_COMPUTE_CAP:-90}
