//! `im2col` / `col2im` for one image, in Caffe's layout: the unfolded matrix has one row per kernel
//! tap `(c, ky, kx)` — the order a conv weight `[C_out, C, k, k]` flattens to — and one column per
//! output position, so `W [C_out, C·k·k] · cols [C·k·k, OH·OW]` is the image's output in NCHW order.

/// Geometry of a square-kernel convolution over `[B, C, H, W]` inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConvGeom {
    pub b: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub c_out: usize,
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

    /// Rows of the unfolded matrix: `C·k·k`.
    pub fn taps(&self) -> usize {
        self.c * self.k * self.k
    }

    /// Columns of the unfolded matrix: `OH·OW`.
    pub fn positions(&self) -> usize {
        self.out_h() * self.out_w()
    }

    /// Values of one input image: `C·H·W`.
    pub fn image(&self) -> usize {
        self.c * self.h * self.w
    }

    /// For tap row `(ky, kx)` and output row `oy`: the input row, or `None` in the padding.
    #[inline]
    fn in_row(&self, oy: usize, ky: usize) -> Option<usize> {
        let iy = (oy * self.stride + ky) as isize - self.pad as isize;
        (iy >= 0 && (iy as usize) < self.h).then_some(iy as usize)
    }

    /// Calls `f(tap_row, c, ky, kx)` for every row of the unfolded matrix.
    #[inline]
    fn for_each_tap(&self, mut f: impl FnMut(usize, usize, usize, usize)) {
        for c in 0..self.c {
            for ky in 0..self.k {
                for kx in 0..self.k {
                    f((c * self.k + ky) * self.k + kx, c, ky, kx);
                }
            }
        }
    }
}

/// Output columns `ox` whose input column `ox·s + kx − p` lies inside the image: `lo..hi`.
#[inline]
fn valid_cols(g: &ConvGeom, kx: usize, ow: usize) -> (usize, usize) {
    // ix = ox·s + kx − p ≥ 0  ⇔  ox ≥ ⌈(p − kx)/s⌉;  ix < W  ⇔  ox·s < W + p − kx.
    let lo = g.pad.saturating_sub(kx).div_ceil(g.stride);
    let limit = g.w + g.pad;
    let hi = if limit <= kx {
        0
    } else {
        (limit - kx).div_ceil(g.stride)
    };
    (lo.min(ow), hi.min(ow).max(lo.min(ow)))
}

/// Unfolds one image `x [C, H, W]` into `cols [C·k·k, OH·OW]` (every element written).
pub(crate) fn im2col(g: &ConvGeom, x: &[f32], cols: &mut [f32]) {
    let (oh, ow, l) = (g.out_h(), g.out_w(), g.positions());
    g.for_each_tap(|r, c, ky, kx| {
        let row = &mut cols[r * l..(r + 1) * l];
        let (lo, hi) = valid_cols(g, kx, ow);
        for oy in 0..oh {
            let out = &mut row[oy * ow..(oy + 1) * ow];
            match g.in_row(oy, ky) {
                None => out.fill(0.0),
                Some(iy) => {
                    let src = &x[(c * g.h + iy) * g.w..(c * g.h + iy + 1) * g.w];
                    out[..lo].fill(0.0);
                    out[hi..].fill(0.0);
                    if lo < hi {
                        let first = lo * g.stride + kx - g.pad;
                        if g.stride == 1 {
                            out[lo..hi].copy_from_slice(&src[first..first + hi - lo]);
                        } else {
                            for (o, &v) in out[lo..hi]
                                .iter_mut()
                                .zip(src[first..].iter().step_by(g.stride))
                            {
                                *o = v;
                            }
                        }
                    }
                }
            }
        }
    });
}

/// The adjoint of [`im2col`]: adds every entry of `cols [C·k·k, OH·OW]` into the pixel of
/// `dx [C, H, W]` it was read from.
pub(crate) fn col2im(g: &ConvGeom, cols: &[f32], dx: &mut [f32]) {
    let (oh, ow, l) = (g.out_h(), g.out_w(), g.positions());
    g.for_each_tap(|r, c, ky, kx| {
        let row = &cols[r * l..(r + 1) * l];
        let (lo, hi) = valid_cols(g, kx, ow);
        if lo >= hi {
            return;
        }
        let first = lo * g.stride + kx - g.pad;
        for oy in 0..oh {
            if let Some(iy) = g.in_row(oy, ky) {
                let dst = &mut dx[(c * g.h + iy) * g.w..(c * g.h + iy + 1) * g.w];
                let src = &row[oy * ow + lo..oy * ow + hi];
                if g.stride == 1 {
                    // Contiguous: vectorises (`step_by` does not), the same additions in order.
                    for (d, &v) in dst[first..first + src.len()].iter_mut().zip(src) {
                        *d += v;
                    }
                } else {
                    for (d, &v) in dst[first..].iter_mut().step_by(g.stride).zip(src) {
                        *d += v;
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geom(h: usize, w: usize, k: usize, stride: usize, pad: usize) -> ConvGeom {
        ConvGeom {
            b: 1,
            c: 1,
            h,
            w,
            c_out: 1,
            k,
            stride,
            pad,
        }
    }

    #[test]
    fn unfolds_a_padded_3x3_by_hand() {
        // Image [[1, 2], [3, 4]], k 3, pad 1: four outputs; tap (1, 1) (the centre) reads 1, 2, 3, 4,
        // tap (0, 0) reads only the pixel up-left of each output: 0, 0, 0, 1.
        let g = geom(2, 2, 3, 1, 1);
        let mut cols = vec![f32::NAN; 9 * 4];
        im2col(&g, &[1.0, 2.0, 3.0, 4.0], &mut cols);
        assert_eq!(&cols[4 * 4..5 * 4], &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(&cols[0..4], &[0.0, 0.0, 0.0, 1.0]);
        assert_eq!(&cols[8 * 4..9 * 4], &[4.0, 0.0, 0.0, 0.0]);
        // col2im of all-ones counts how often each pixel is read: 4 times each here.
        let mut dx = vec![0.0; 4];
        col2im(&g, &[1.0; 36], &mut dx);
        assert_eq!(dx, [4.0; 4]);
    }

    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for every geometry.
        for (h, w, k, s, p) in [
            (5, 4, 3, 1, 1),
            (7, 6, 3, 2, 1),
            (6, 7, 1, 2, 0),
            (4, 4, 3, 1, 0),
        ] {
            let g = geom(h, w, k, s, p);
            let x: Vec<f32> = (0..h * w).map(|i| (i % 7) as f32 - 3.0).collect();
            let c: Vec<f32> = (0..g.taps() * g.positions())
                .map(|i| (i % 5) as f32 - 2.0)
                .collect();
            let mut cols = vec![0.0; c.len()];
            im2col(&g, &x, &mut cols);
            let mut dx = vec![0.0; x.len()];
            col2im(&g, &c, &mut dx);
            let lhs: f32 = cols.iter().zip(&c).map(|(a, b)| a * b).sum();
            let rhs: f32 = x.iter().zip(&dx).map(|(a, b)| a * b).sum();
            assert_eq!(lhs, rhs, "{h}×{w} k{k} s{s} p{p}");
        }
    }

    /// The fast loops equal a direct evaluation of the definition.
    #[test]
    fn matches_the_definition_for_many_geometries() {
        for h in 1..7 {
            for w in 1..7 {
                for (k, s, p) in [
                    (1, 1, 0),
                    (1, 2, 0),
                    (3, 1, 1),
                    (3, 2, 1),
                    (3, 1, 0),
                    (3, 2, 0),
                    (2, 2, 0),
                    (3, 3, 2),
                ] {
                    if h + 2 * p < k || w + 2 * p < k {
                        continue;
                    }
                    let g = ConvGeom {
                        c: 2,
                        ..geom(h, w, k, s, p)
                    };
                    let x: Vec<f32> = (0..g.image()).map(|i| i as f32 + 1.0).collect();
                    let mut cols = vec![f32::NAN; g.taps() * g.positions()];
                    im2col(&g, &x, &mut cols);
                    let (oh, ow) = (g.out_h(), g.out_w());
                    for c in 0..2 {
                        for ky in 0..k {
                            for kx in 0..k {
                                for oy in 0..oh {
                                    for ox in 0..ow {
                                        let iy = (oy * s + ky) as isize - p as isize;
                                        let ix = (ox * s + kx) as isize - p as isize;
                                        let inside = iy >= 0
                                            && ix >= 0
                                            && (iy as usize) < h
                                            && (ix as usize) < w;
                                        let expected = if inside {
                                            x[(c * h + iy as usize) * w + ix as usize]
                                        } else {
                                            0.0
                                        };
                                        let r = (c * k + ky) * k + kx;
                                        assert_eq!(
                                            cols[r * oh * ow + oy * ow + ox],
                                            expected,
                                            "{h}×{w} k{k} s{s} p{p}"
                                        );
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
