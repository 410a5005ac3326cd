//! 2-D convolution as a candle custom op on the CPU: per image, `im2col` into a scratch matrix and
//! one GEMM (the `gemm` crate candle itself uses), in parallel over images.
//!
//! candle's own conv2d backward computes the input gradient with a naive `conv_transpose2d` loop —
//! even for the first layer, whose input (the images) needs no gradient — and its weight gradient as
//! a convolution with a batch-sized kernel; they dominate CNN training on the CPU. Here
//! `dW = Σ_b dY_b · cols_bᵀ`, `dX_b = col2im(Wᵀ · dY_b)`, and `dX` is skipped when the input is not
//! part of the graph.

use super::cpu_slice::contiguous_f32;
use candle_core::{CpuStorage, CustomOp1, CustomOp2, CustomOp3, Layout, Result, Shape, Tensor};

use super::gemm::{matmul, Mat, Threads};
use super::im2col::{col2im, im2col, ConvGeom};
use super::par::par_ranges_mut;
use rayon::prelude::*;
use std::mem::MaybeUninit;

/// `(x [B, C, H, W], w [C_out, C, k, k], bias [C_out])` → `y [B, C_out, OH, OW]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Conv2dOp(pub ConvGeom);

impl CustomOp3 for Conv2dOp {
    fn name(&self) -> &'static str {
        "conv2d_im2col"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let g = self.0;
        let x = contiguous_f32(s1, l1, "conv2d")?;
        let w = contiguous_f32(s2, l2, "conv2d")?;
        let bias = contiguous_f32(s3, l3, "conv2d")?;
        let (kk, l) = (g.taps(), g.positions());
        let per = g.c_out * l;
        // Not zeroed: every value is first written with its bias below (a zeroing pass over the
        // largest tensor of a CNN saved).
        let mut y: Vec<MaybeUninit<f32>> = Vec::with_capacity(g.b * per);
        // SAFETY: `MaybeUninit` needs no initialisation.
        unsafe { y.set_len(g.b * per) };
        par_ranges_mut(&mut y, per, |first, run| {
            let mut cols = vec![0f32; kk * l];
            for (j, out) in run.chunks_mut(per).enumerate() {
                let bi = first + j;
                for (row, &b) in out.chunks_mut(l).zip(bias) {
                    row.fill(MaybeUninit::new(b));
                }
                // SAFETY: every element of `out` was just written.
                let out = unsafe { &mut *(out as *mut [MaybeUninit<f32>] as *mut [f32]) };
                im2col(&g, &x[bi * g.image()..(bi + 1) * g.image()], &mut cols);
                let wm = Mat {
                    data: w,
                    rs: kk,
                    cs: 1,
                };
                let cm = Mat {
                    data: &cols,
                    rs: l,
                    cs: 1,
                };
                matmul(out, (g.c_out, l, kk), wm, cm, true, Threads::One);
            }
        });
        // SAFETY: every element was written (each image's rows above); same layout as f32.
        let y = unsafe {
            let mut y = std::mem::ManuallyDrop::new(y);
            Vec::from_raw_parts(y.as_mut_ptr() as *mut f32, y.len(), y.capacity())
        };
        Ok((
            CpuStorage::F32(y),
            Shape::from((g.b, g.c_out, g.out_h(), g.out_w())),
        ))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        bias: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let grad = grad.contiguous()?;
        let dw = x.apply_op2_no_bwd(&grad, &ConvWeightGrad(self.0))?;
        let dx = if x.track_op() {
            Some(grad.apply_op2_no_bwd(w, &ConvInputGrad(self.0))?)
        } else {
            None
        };
        let db = if bias.track_op() {
            Some(grad.apply_op1_no_bwd(&ConvBiasGrad(self.0))?)
        } else {
            None
        };
        Ok((dx, Some(dw), db))
    }
}

/// `dy [B, C_out, OH, OW]` → `db [C_out] = Σ_{b, position} dy`.
struct ConvBiasGrad(ConvGeom);

impl CustomOp1 for ConvBiasGrad {
    fn name(&self) -> &'static str {
        "conv2d_bias_grad"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let g = self.0;
        let dy = contiguous_f32(s, l, "conv2d bias grad")?;
        let lp = g.positions();
        let mut db = vec![0f32; g.c_out];
        // One channel per task: a channel is B·L values, worth a thread even when C_out is small
        // (`par_pieces_mut` keeps fewer than 16 k outputs on one thread). Each channel's sum in
        // the same order as before, so the same bits.
        db.par_iter_mut().enumerate().for_each(|(co, out)| {
            let mut sum = 0f64;
            for bi in 0..g.b {
                let at = (bi * g.c_out + co) * lp;
                sum += dy[at..at + lp].iter().map(|&v| v as f64).sum::<f64>();
            }
            *out = sum as f32;
        });
        Ok((CpuStorage::F32(db), Shape::from(g.c_out)))
    }
}

/// Image groups of the weight gradient: each accumulates its own partial sum, and the partials are
/// added in order. A fixed count (not the thread count) keeps `dW` bit-identical whatever the
/// number of threads.
const WEIGHT_GRAD_GROUPS: usize = 16;

/// `(x, dy)` → `dW = Σ_b dY_b [C_out, L] · cols_bᵀ [L, C·k·k]`, accumulated per image group and
/// summed.
struct ConvWeightGrad(ConvGeom);

impl CustomOp2 for ConvWeightGrad {
    fn name(&self) -> &'static str {
        "conv2d_weight_grad"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let g = self.0;
        let x = contiguous_f32(s1, l1, "conv2d weight grad")?;
        let dy = contiguous_f32(s2, l2, "conv2d weight grad")?;
        let (kk, l) = (g.taps(), g.positions());
        let size = g.c_out * kk;
        let groups = WEIGHT_GRAD_GROUPS.clamp(1, g.b.max(1));
        let mut partial = vec![0f32; groups * size];
        par_ranges_mut(&mut partial, size, |first, run| {
            let mut cols = vec![0f32; kk * l];
            for (j, acc) in run.chunks_mut(size).enumerate() {
                let group = first + j;
                for bi in (group * g.b / groups)..((group + 1) * g.b / groups) {
                    im2col(&g, &x[bi * g.image()..(bi + 1) * g.image()], &mut cols);
                    let dym = Mat {
                        data: &dy[bi * g.c_out * l..(bi + 1) * g.c_out * l],
                        rs: l,
                        cs: 1,
                    };
                    let colst = Mat {
                        data: &cols,
                        rs: 1,
                        cs: l,
                    };
                    matmul(acc, (g.c_out, kk, l), dym, colst, true, Threads::One);
                }
            }
        });
        let (first, rest) = partial.split_at_mut(size);
        for part in rest.chunks(size) {
            for (a, &p) in first.iter_mut().zip(part) {
                *a += p;
            }
        }
        partial.truncate(size);
        Ok((
            CpuStorage::F32(partial),
            Shape::from((g.c_out, g.c, g.k, g.k)),
        ))
    }
}

/// `(dy, w)` → `dX_b = col2im(Wᵀ [C·k·k, C_out] · dY_b [C_out, L])`.
struct ConvInputGrad(ConvGeom);

impl CustomOp2 for ConvInputGrad {
    fn name(&self) -> &'static str {
        "conv2d_input_grad"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let g = self.0;
        let dy = contiguous_f32(s1, l1, "conv2d input grad")?;
        let w = contiguous_f32(s2, l2, "conv2d input grad")?;
        let (kk, l) = (g.taps(), g.positions());
        let mut dx = vec![0f32; g.b * g.image()];
        par_ranges_mut(&mut dx, g.image(), |first, run| {
            let mut cols = vec![0f32; kk * l];
            for (j, dst) in run.chunks_mut(g.image()).enumerate() {
                let bi = first + j;
                let wt = Mat {
                    data: w,
                    rs: 1,
                    cs: kk,
                };
                let dym = Mat {
                    data: &dy[bi * g.c_out * l..(bi + 1) * g.c_out * l],
                    rs: l,
                    cs: 1,
                };
                matmul(&mut cols, (kk, l, g.c_out), wt, dym, false, Threads::One);
                col2im(&g, &cols, dst);
            }
        });
        Ok((CpuStorage::F32(dx), Shape::from((g.b, g.c, g.h, g.w))))
    }
}
