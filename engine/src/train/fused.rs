//! In-place element-wise kernels for the optimizers' CPU fast path.
//!
//! Written as candle tensor ops, one optimizer step allocates and traverses a fresh buffer per
//! operation (about 12 for AdamW); these kernels update the variable and its state in place, in one
//! pass each, with no allocation.

use std::cell::Cell;

use candle_core::{CpuStorage, InplaceOp1, InplaceOp2, InplaceOp3, Layout, Result, Tensor};
use rayon::prelude::*;

use crate::model::backend::Backend;
use crate::model::contiguous_f32;
use crate::model::par::par_chunks_mut;

/// Elements per parallel chunk: below this, threads cost more than they save.
const CHUNK: usize = 1 << 15;

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
        let a = contiguous_f32(s2, l2, self.0)?;
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
        let a = contiguous_f32(s2, l2, self.0)?;
        let b = contiguous_f32(s3, l3, self.0)?;
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

/// Calls `f` with the values of `t` (contiguous f32 on the CPU) to change in place, under `t`'s
/// write lock. Nested calls on distinct tensors give one pass several mutable operands, which
/// candle's in-place ops (one mutable operand each) do not.
pub(crate) fn with_values_mut<R>(t: &Tensor, f: impl FnOnce(&mut [f32]) -> Result<R>) -> Result<R> {
    type Body<'f, R> = Box<dyn FnOnce(&mut [f32]) -> Result<R> + 'f>;
    struct Once<'f, R>(Cell<Option<Body<'f, R>>>, Cell<Option<R>>);
    impl<R> InplaceOp1 for Once<'_, R> {
        fn name(&self) -> &'static str {
            "with_values_mut"
        }
        fn cpu_fwd(&self, s: &mut CpuStorage, l: &Layout) -> Result<()> {
            let f = self.0.take().expect("called once");
            self.1.set(Some(f(slice_mut(s, l, "with_values_mut")?)?));
            Ok(())
        }
    }
    let op = Once(Cell::new(Some(Box::new(f))), Cell::new(None));
    t.inplace_op1(&op)?;
    match op.1.take() {
        Some(r) => Ok(r),
        None => candle_core::bail!("with_values_mut: the tensor is not on the CPU"),
    }
}

/// The values of `t` (contiguous f32 on the CPU) for `f` to read, under `t`'s read lock.
pub(crate) fn with_values<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> Result<R>) -> Result<R> {
    let (guard, layout) = t.storage_and_layout();
    match &*guard {
        candle_core::Storage::Cpu(s) => f(contiguous_f32(s, layout, "with_values")?),
        _ => candle_core::bail!("with_values: the tensor is not on the CPU"),
    }
}

/// `f(p, a, b, g)` over matching `CHUNK`-sized pieces of three mutable and one read-only slice of
/// one length, in parallel when they are large (one pass for a whole optimizer update).
pub(crate) fn par_update3(
    p: &mut [f32],
    a: &mut [f32],
    b: &mut [f32],
    g: &[f32],
    f: impl Fn(&mut [f32], &mut [f32], &mut [f32], &[f32]) + Sync + Send,
) -> Result<()> {
    if p.len() != a.len() || p.len() != b.len() || p.len() != g.len() {
        candle_core::bail!("optimizer update: operand sizes differ");
    }
    if p.len() < 2 * CHUNK {
        f(p, a, b, g);
        return Ok(());
    }
    p.par_chunks_mut(CHUNK)
        .zip(a.par_chunks_mut(CHUNK))
        .zip(b.par_chunks_mut(CHUNK))
        .zip(g.par_chunks(CHUNK))
        .for_each(|(((p, a), b), g)| f(p, a, b, g));
    Ok(())
}
