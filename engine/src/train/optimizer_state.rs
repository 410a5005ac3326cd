//! An optimizer's internal state, saved with a per-epoch checkpoint so a resumed run continues
//! with the same momentum buffers / Adam moments and step count as one that never stopped.

use candle_core::{Result, Tensor};

/// Step count and named f32 tensors (`buf.<i>` for SGD momentum, `m.<i>`/`v.<i>` for AdamW,
/// `<i>` the index of the variable in the optimizer's list).
#[derive(Debug, Clone, Default)]
pub struct OptimizerState {
    /// Optimizer steps taken so far (AdamW's bias-correction `t`; 0 for SGD, which keeps none).
    pub step: u64,
    /// The buffers, named as above.
    pub tensors: Vec<(String, Tensor)>,
}

impl OptimizerState {
    /// The tensor named `name`, if saved.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.tensors.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    /// A fresh, contiguous copy of `name` with the shape of `like`. Fresh, because optimizers
    /// update their buffers in place and a loaded tensor must not share storage.
    /// Errors name the tensor when it is missing or its shape differs.
    pub fn fresh_copy(&self, name: &str, like: &Tensor) -> Result<Tensor> {
        let Some(t) = self.get(name) else {
            candle_core::bail!("optimizer state: tensor `{name}` is missing");
        };
        if t.dims() != like.dims() {
            candle_core::bail!(
                "optimizer state: tensor `{name}` has shape {:?}, the variable {:?}",
                t.dims(),
                like.dims()
            );
        }
        t.to_dtype(like.dtype())?.copy()?.contiguous()
    }
}
