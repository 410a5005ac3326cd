//! 2×2 max-pool on any device with the full gradient at the window's maximum.

use candle_core::{Result, Tensor, D};

use super::surrogate::Surrogate;

/// `x [B, C, H, W]` → `[B, C, ⌊H/2⌋, ⌊W/2⌋]`, the maximum of each 2×2 window (candle's
/// `max_pool2d`). Gradient: each window's gradient goes, whole, to its first maximum in row-major
/// order (the CPU kernel's rule, PyTorch's for ties); candle 0.11 hands out ¼ of it.
pub(crate) fn max_pool2x2(x: &Tensor) -> Result<Tensor> {
    let y = x.max_pool2d(2)?;
    Surrogate::with_grad_1("max_pool2x2_generic", &y, x, |x, y, dy| {
        let (b, c, h, w) = x.dims4()?;
        let (oh, ow) = (h / 2, w / 2);
        // [B, C, OH, 2, OW, 2] → windows last: [B, C, OH, OW, 4].
        let windows = x
            .narrow(2, 0, 2 * oh)?
            .narrow(3, 0, 2 * ow)?
            .reshape((b, c, oh, 2, ow, 2))?
            .permute((0, 1, 2, 4, 3, 5))?
            .reshape((b, c, oh, ow, 4))?;
        let hit = windows
            .broadcast_eq(&y.unsqueeze(D::Minus1)?)?
            .to_dtype(dy.dtype())?;
        // The first hit only: its running count of hits is 1.
        let first = (hit.cumsum(D::Minus1)?.eq(1f32)?.to_dtype(dy.dtype())? * &hit)?;
        let g = first.broadcast_mul(&dy.unsqueeze(D::Minus1)?)?;
        let g = g
            .reshape((b, c, oh, ow, 2, 2))?
            .permute((0, 1, 2, 4, 3, 5))?
            .reshape((b, c, 2 * oh, 2 * ow))?;
        // An odd last row/column is outside every window: zero gradient.
        Ok(Some(g.pad_with_zeros(2, 0, h - 2 * oh)?.pad_with_zeros(
            3,
            0,
            w - 2 * ow,
        )?))
    })
}
