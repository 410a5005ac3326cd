//! Training-mode batch norm on any device, as tensor ops (candle's autograd of them is exact).

use candle_core::{Result, Tensor};

/// `x [B, C, H, W]`, `γ, β [C]` → `(y, μ, σ²)`: `y = γ·(x − μ)/√(σ² + ε) + β` with the batch mean
/// `μ [C]` and biased variance `σ² [C]` over `B·H·W` (returned detached, for the running
/// estimates). Same formula as the CPU kernel (`model::batch_norm`), which accumulates in f64;
/// gradients by autograd.
pub(crate) fn batch_norm_train(
    x: &Tensor,
    gamma: &Tensor,
    beta: &Tensor,
    eps: f64,
) -> Result<(Tensor, Tensor, Tensor)> {
    let c = x.dim(1)?;
    let mean = x.mean_keepdim((0, 2, 3))?;
    let centered = x.broadcast_sub(&mean)?;
    let var = centered.sqr()?.mean_keepdim((0, 2, 3))?;
    let scale = (gamma.reshape((1, c, 1, 1))? * (&var + eps)?.sqrt()?.recip()?)?;
    let y = centered
        .broadcast_mul(&scale)?
        .broadcast_add(&beta.reshape((1, c, 1, 1))?)?;
    Ok((y, mean.flatten_all()?.detach(), var.flatten_all()?.detach()))
}
