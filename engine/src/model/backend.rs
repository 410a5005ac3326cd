//! Which implementation runs a layer op: the fused CPU kernels (f32 on the CPU) or the
//! device-generic path ([`super::generic`]: candle ops, with correct gradients where candle's are
//! wrong) on every other device. Tests switch the CPU to the generic path to check one against
//! the other.

use std::cell::Cell;

use candle_core::{DType, Device, Tensor};

use crate::device::DeviceChoice;

/// The implementation of the layer ops and optimizer updates for one tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    /// The custom CPU ops (`conv_op`, `max_pool`, `relu`, `batch_norm`, `train::fused`).
    CpuKernels,
    /// Tensor ops that run on any device ([`super::generic`]).
    Generic,
}

thread_local! {
    /// Set by [`with_generic_ops`]: the CPU takes the generic path too.
    static GENERIC_ON_CPU: Cell<bool> = const { Cell::new(false) };
}

impl Backend {
    /// The backend for an op whose (first) operand is `x`.
    pub(crate) fn of(x: &Tensor) -> Backend {
        if x.device().is_cpu() && x.dtype() == DType::F32 && !GENERIC_ON_CPU.with(Cell::get) {
            Backend::CpuKernels
        } else {
            Backend::Generic
        }
    }
}

/// Runs `f` with the device-generic ops (the GPU path) on the CPU too, on this thread only: model
/// forward and backward passes and optimizer steps taken inside `f` use no CPU kernel. For tests
/// that compare the two paths, and for measuring the generic path on a CPU. Nests; the previous
/// setting is restored when `f` returns or panics.
pub fn with_generic_ops<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            GENERIC_ON_CPU.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(GENERIC_ON_CPU.with(|c| c.replace(true)));
    f()
}

/// The device the generic-path tests run that path on: `MKD_TEST_DEVICE` = `cpu` (the default,
/// with [`with_generic_ops`]), `cuda` (GPU 0) or `cuda:N`. Panics on another value or a missing GPU:
/// a test asked to check a GPU must not pass without one.
pub fn generic_test_device() -> Device {
    let Some(s) = std::env::var("MKD_TEST_DEVICE")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        return Device::Cpu;
    };
    match s.parse::<DeviceChoice>() {
        Ok(DeviceChoice::Cpu) => Device::Cpu,
        Ok(DeviceChoice::Cuda(n)) => Device::new_cuda(n)
            .unwrap_or_else(|e| panic!("MKD_TEST_DEVICE={s}: no CUDA device {n}: {e}")),
        _ => panic!("MKD_TEST_DEVICE must be cpu, cuda or cuda:N, got {s:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_is_scoped_and_restored() {
        let x = Tensor::zeros(2, DType::F32, &Device::Cpu).unwrap();
        assert_eq!(Backend::of(&x), Backend::CpuKernels);
        with_generic_ops(|| {
            assert_eq!(Backend::of(&x), Backend::Generic);
            with_generic_ops(|| assert_eq!(Backend::of(&x), Backend::Generic));
            assert_eq!(Backend::of(&x), Backend::Generic);
        });
        assert_eq!(Backend::of(&x), Backend::CpuKernels);
        let f64s = Tensor::zeros(2, DType::F64, &Device::Cpu).unwrap();
        assert_eq!(Backend::of(&f64s), Backend::Generic);
    }
}
