//! Convolution on any device: candle's `conv2d` forward, a backward that is right for every
//! input shape.

use candle_core::{Result, Tensor};

use super::surrogate::Surrogate;

/// `x [B, C_in, H, W]` ⊛ `w [C_out, C_in, k, k]` with `stride` and zero `padding` →
/// `[B, C_out, OH, OW]`, `OH = ⌊(H + 2p − k)/s⌋ + 1` (no bias).
///
/// Gradients: `dX = conv_transpose2d(dY, W)` with the output padding each spatial dimension needs,
/// cut to `[H, W]` (candle uses the height's output padding for the width too, so stride 2 with
/// `H`, `W` of different parity gets a wrongly shaped `dX`); `dW` is the correlation of `X` with
/// `dY` dilated by the stride (candle's formula: `X` and `dY` with batch and channel swapped),
/// cut to `k×k`.
pub(crate) fn conv2d(x: &Tensor, w: &Tensor, stride: usize, padding: usize) -> Result<Tensor> {
    let y = x.conv2d(w, padding, stride, 1, 1)?;
    let (h, wd) = (x.dim(2)?, x.dim(3)?);
    Surrogate::with_grad_2("conv2d_generic", &y, x, w, move |x, w, dy| {
        let (_, _, k, _) = w.dims4()?;
        let (oh, ow) = (dy.dim(2)?, dy.dim(3)?);
        // Rows/columns at the end that the transposed conv must add to reach H, W.
        let reach = |o: usize| (o - 1) * stride + k - 2 * padding;
        let out_pad = (h - reach(oh)).max(wd - reach(ow));
        let dx = dy
            .conv_transpose2d(w, padding, out_pad, stride, 1)?
            .narrow(2, 0, h)?
            .narrow(3, 0, wd)?;
        let dw = x
            .transpose(0, 1)?
            .conv2d(&dy.transpose(0, 1)?, padding, 1, stride, 1)?
            .transpose(0, 1)?;
        let dw = dw.narrow(2, 0, k)?.narrow(3, 0, k)?;
        Ok((Some(dx), Some(dw)))
    })
}
