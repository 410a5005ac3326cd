//! The one thing every custom CPU op needs first: its operand as a contiguous `&[f32]`.

use candle_core::{CpuStorage, Layout, Result};

/// The f32 values of a contiguous operand of `op`. Errors (naming `op`) for other dtypes or
/// strided layouts; the callers make their operands contiguous first.
pub(crate) fn contiguous_f32<'a>(s: &'a CpuStorage, l: &Layout, op: &str) -> Result<&'a [f32]> {
    let CpuStorage::F32(v) = s else {
        candle_core::bail!("{op}: only f32 is supported");
    };
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&v[a..b]),
        None => candle_core::bail!("{op}: operands must be contiguous"),
    }
}

/// Helpers shared by the kernels' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use candle_core::Tensor;

    /// Deterministic pseudo-random values in `[lo, lo + span)` (an LCG; no RNG crate needed).
    pub fn values(n: usize, seed: u64, lo: f32, span: f32) -> Vec<f32> {
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 40) as f32 / (1u64 << 24) as f32) * span + lo
            })
            .collect()
    }

    /// Largest absolute element-wise difference.
    pub fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .flatten_all()
            .unwrap()
            .max(0)
            .unwrap()
            .to_scalar()
            .unwrap()
    }
}
