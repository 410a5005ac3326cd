//! In-place element-wise kernels for the optimizers' CPU fast path.
//!
//! Written as candle tensor ops, one optimizer step allocates and traverses a fresh buffer per
//! operation (about 12 for AdamW); these kernels update the variable and its state in place, in one
//! pass each, with no allocation.

use candle_core::{CpuStorage, InplaceOp2, InplaceOp3, Layout, Result, Tensor};

use crate::model::backend::Backend;
use crate::model::par::par_chunks_mut;

/// Elements per parallel chunk: below this, threads cost more than they save.
const CHUNK: usize = 1 << 15;

fn slice<'a>(s: &'a CpuStorage, l: &Layout, op: &str) -> Result<&'a [f32]> {
    let CpuStorage::F32(v) = s else {
        candle_core::bail!("{op}: only f32 is supported");
    };
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&v[a..b]),
        None => candle_core::bail!("{op}: operands must be contiguous"),
    }
}

fn slice_mut<'a>(s: &'a mut CpuStorage, l: &Layout, op: &str) -> Result<&'a mut [f32]> {
    let CpuStorage::F32(v) = s else {
        candle_core::bail!("{op}: only f32 is supported");
    };
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&mut v[a..b]),
        None => candle_core::bail!("{op}: operands must be contiguous"),
    }
}

/// True when `t` can be updated by these kernels: a contiguous f32 tensor on the CPU (and the
/// generic path not forced, [`crate::model::with_generic_ops`]).
pub(crate) fn supported(t: &Tensor) -> bool {
    Backend::of(t) == Backend::CpuKernels && t.is_contiguous()
}

/// `dst[i] ← f(dst[i], a[i])`.
pub(crate) struct Update2<F>(pub &'static str, pub F);

impl<F: Fn(f32, f32) -> f32 + Sync> InplaceOp2 for Update2<F> {
    fn name(&self) -> &'static str {
        self.0
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<()> {
        let a = slice(s2, l2, self.0)?;
        let dst = slice_mut(s1, l1, self.0)?;
        if dst.len() != a.len() {
            candle_core::bail!("{}: {} vs {} elements", self.0, dst.len(), a.len());
        }
        par_chunks_mut(dst, CHUNK, |i, d| {
            let a = &a[i * CHUNK..i * CHUNK + d.len()];
            for (d, &a) in d.iter_mut().zip(a) {
                *d = (self.1)(*d, a);
            }
        });
        Ok(())
    }
}

/// `dst[i] ← f(dst[i], a[i], b[i])`.
pub(crate) struct Update3<F>(pub &'static str, pub F);

impl<F: Fn(f32, f32, f32) -> f32 + Sync> InplaceOp3 for Update3<F> {
    fn name(&self) -> &'static str {
        self.0
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<()> {
        let a = slice(s2, l2, self.0)?;
        let b = slice(s3, l3, self.0)?;
        let dst = slice_mut(s1, l1, self.0)?;
        if dst.len() != a.len() || dst.len() != b.len() {
            candle_core::bail!("{}: operand sizes differ", self.0);
        }
        par_chunks_mut(dst, CHUNK, |i, d| {
            let range = i * CHUNK..i * CHUNK + d.len();
            let (a, b) = (&a[range.clone()], &b[range]);
            for ((d, &a), &b) in d.iter_mut().zip(a).zip(b) {
                *d = (self.1)(*d, a, b);
            }
        });
        Ok(())
    }
}
