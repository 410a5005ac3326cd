//! `im2col` / `col2im` as candle custom ops (CPU, f32), so a convolution becomes one GEMM forward
//! and two GEMMs plus a scatter-add backward.
//!
//! candle's own conv2d backward computes the input gradient with a naive `conv_transpose2d` loop —
//! even for the first layer, whose input (the images) needs no gradient — and dominates CNN
//! training time on the CPU. Here the input gradient is `col2im(grad_cols)`, and it is not computed
//! at all when the input is not part of the graph (candle only calls `bwd` for tracked inputs).

use candle_core::{CpuStorage, CustomOp1, Layout, Result, Shape, Tensor};

use super::par::par_chunks_mut;

/// Geometry of a square-kernel convolution over `[B, C, H, W]` inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConvGeom {
    pub b: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub k: usize,
    pub stride: usize,
    pub pad: usize,
}

impl ConvGeom {
    /// Output height `⌊(H + 2p − k)/s⌋ + 1`.
    pub fn out_h(&self) -> usize {
        (self.h + 2 * self.pad - self.k) / self.stride + 1
    }

    /// Output width `⌊(W + 2p − k)/s⌋ + 1`.
    pub fn out_w(&self) -> usize {
        (self.w + 2 * self.pad - self.k) / self.stride + 1
    }

    /// Columns per row of the unfolded matrix: `C·k·k`, ordered `(c, ky, kx)` as a conv weight
    /// `[C_out, C, k, k]` flattens.
    pub fn cols(&self) -> usize {
        self.c * self.k * self.k
    }

    /// Calls `f(row_offset_in_image, input_index or None)` for every element of one image's
    /// unfolded rows, in order; `None` marks zero padding.
    #[inline]
    fn for_each_tap(&self, mut f: impl FnMut(usize, Option<usize>)) {
        let (oh, ow, kk) = (self.out_h(), self.out_w(), self.cols());
        for oy in 0..oh {
            for ox in 0..ow {
                let row = (oy * ow + ox) * kk;
                let mut j = 0;
                for ci in 0..self.c {
                    for ky in 0..self.k {
                        let iy = (oy * self.stride + ky) as isize - self.pad as isize;
                        for kx in 0..self.k {
                            let ix = (ox * self.stride + kx) as isize - self.pad as isize;
                            let inside = iy >= 0
                                && ix >= 0
                                && (iy as usize) < self.h
                                && (ix as usize) < self.w;
                            let src =
                                inside.then(|| (ci * self.h + iy as usize) * self.w + ix as usize);
                            f(row + j, src);
                            j += 1;
                        }
                    }
                }
            }
        }
    }
}

fn contiguous_f32<'a>(s: &'a CpuStorage, l: &Layout, op: &str) -> Result<&'a [f32]> {
    let CpuStorage::F32(v) = s else {
        candle_core::bail!("{op}: only f32 is supported");
    };
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&v[a..b]),
        None => candle_core::bail!("{op}: input must be contiguous"),
    }
}

/// `[B, C, H, W]` → `[B·OH·OW, C·k·k]`: row `(b, oy, ox)` holds the receptive field of that output.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Im2Col(pub ConvGeom);

impl CustomOp1 for Im2Col {
    fn name(&self) -> &'static str {
        "im2col"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let g = self.0;
        let x = contiguous_f32(s, l, "im2col")?;
        let image = g.c * g.h * g.w;
        let per = g.out_h() * g.out_w() * g.cols();
        let mut out = vec![0f32; g.b * per];
        par_chunks_mut(&mut out, per, |bi, dst| {
            let src = &x[bi * image..(bi + 1) * image];
            g.for_each_tap(|o, i| {
                if let Some(i) = i {
                    dst[o] = src[i];
                }
            })
        });
        Ok((
            CpuStorage::F32(out),
            Shape::from((g.b * g.out_h() * g.out_w(), g.cols())),
        ))
    }

    fn bwd(&self, _arg: &Tensor, _res: &Tensor, grad_res: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(
            grad_res.contiguous()?.apply_op1_no_bwd(&Col2Im(self.0))?,
        ))
    }
}

/// The adjoint of [`Im2Col`]: `[B·OH·OW, C·k·k]` → `[B, C, H, W]`, summing every tap into the input
/// pixel it was read from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col2Im(pub ConvGeom);

impl CustomOp1 for Col2Im {
    fn name(&self) -> &'static str {
        "col2im"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let g = self.0;
        let cols = contiguous_f32(s, l, "col2im")?;
        let image = g.c * g.h * g.w;
        let per = g.out_h() * g.out_w() * g.cols();
        let mut out = vec![0f32; g.b * image];
        par_chunks_mut(&mut out, image, |bi, dst| {
            let src = &cols[bi * per..(bi + 1) * per];
            g.for_each_tap(|o, i| {
                if let Some(i) = i {
                    dst[i] += src[o];
                }
            })
        });
        Ok((CpuStorage::F32(out), Shape::from((g.b, g.c, g.h, g.w))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn unfolds_a_padded_3x3_by_hand() {
        // 1×1×2×2 image [[1, 2], [3, 4]], k 3, pad 1, stride 1: the first output's field is
        // [0 0 0; 0 1 2; 0 3 4].
        let g = ConvGeom {
            b: 1,
            c: 1,
            h: 2,
            w: 2,
            k: 3,
            stride: 1,
            pad: 1,
        };
        let x = Tensor::new(&[[[[1f32, 2.0], [3.0, 4.0]]]], &Device::Cpu).unwrap();
        let cols = x
            .apply_op1_no_bwd(&Im2Col(g))
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        assert_eq!(cols.len(), 4);
        assert_eq!(cols[0], [0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 0.0, 3.0, 4.0]);
        assert_eq!(cols[3], [1.0, 2.0, 0.0, 3.0, 4.0, 0.0, 0.0, 0.0, 0.0]);
        // col2im of all-ones counts how often each pixel is read: 4 times each here.
        let ones = Tensor::ones((4, 9), candle_core::DType::F32, &Device::Cpu).unwrap();
        let back = ones
            .apply_op1_no_bwd(&Col2Im(g))
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        assert_eq!(back, [4.0, 4.0, 4.0, 4.0]);
    }
}
