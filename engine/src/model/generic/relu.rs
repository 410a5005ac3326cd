//! ReLU on any device with PyTorch's gradient at 0.

use candle_core::{Result, Tensor};

use super::surrogate::Surrogate;

/// `max(x, 0)` element-wise; gradient `dy` where the output is positive, else 0 (candle's own
/// passes it at exactly 0 too). Equals the CPU kernel `model::relu`.
pub(crate) fn relu(x: &Tensor) -> Result<Tensor> {
    let y = x.relu()?;
    Surrogate::with_grad_1("relu_generic", &y, x, |_x, y, dy| {
        let positive = y.gt(0f32)?.to_dtype(dy.dtype())?;
        Ok(Some((dy * positive)?))
    })
}
