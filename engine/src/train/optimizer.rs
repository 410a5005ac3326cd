//! The optimizer interface the training loop drives, and its construction from a preset.

use candle_core::backprop::GradStore;
use candle_core::{Result, Var};

use super::{AdamW, OptimizerState, Sgd};
use crate::preset::OptimizerConfig;

/// Updates a fixed set of variables from their gradients, one step per batch.
///
/// `Send`, so a training session can run on a worker thread.
pub trait Optimizer: Send {
    /// One update of every variable that has a gradient in `grads` (others are left alone).
    fn step(&mut self, grads: &GradStore) -> Result<()>;
    /// Sets the learning rate used from the next step on (called once per epoch by the schedule).
    fn set_learning_rate(&mut self, lr: f64);
    /// The learning rate of the next step.
    fn learning_rate(&self) -> f64;
    /// The internal state (buffers, step count) for a checkpoint. Errors when this optimizer
    /// cannot export it.
    fn state(&self) -> Result<OptimizerState> {
        candle_core::bail!("this optimizer cannot save its state")
    }
    /// Replace the internal state with one from [`state`](Self::state) of an optimizer over the
    /// same variables. Errors when a tensor is missing or has another shape.
    fn load_state(&mut self, _state: &OptimizerState) -> Result<()> {
        candle_core::bail!("this optimizer cannot load a saved state")
    }
}

/// The optimizer a preset asks for, over `vars` (normally [`Classifier::trainable_vars`](crate::model::Classifier::trainable_vars)).
///
/// `Sgd` is PyTorch's `torch.optim.SGD` (momentum, L2 weight decay, Nesterov; no dampening);
/// `Adamw` is AdamW (Loshchilov & Hutter 2019): an in-place CPU update equal to `candle_nn::AdamW`,
/// tensor ops on other devices. Errors on a negative or non-finite
/// rate, momentum outside `[0, 1)`, negative weight decay, or Nesterov without momentum.
pub fn build_optimizer(cfg: &OptimizerConfig, vars: Vec<Var>) -> Result<Box<dyn Optimizer>> {
    match *cfg {
        OptimizerConfig::Sgd {
            lr,
            momentum,
            weight_decay,
            nesterov,
        } => Ok(Box::new(Sgd::new(
            vars,
            lr,
            momentum,
            weight_decay,
            nesterov,
        )?)),
        OptimizerConfig::Adamw {
            lr,
            weight_decay,
            beta1,
            beta2,
            eps,
        } => Ok(Box::new(AdamW::new(
            vars,
            lr,
            weight_decay,
            beta1,
            beta2,
            eps,
        )?)),
    }
}

/// Errors unless `lr` is finite and non-negative.
pub(crate) fn check_lr(lr: f64) -> Result<()> {
    if !(lr.is_finite() && lr >= 0.0) {
        candle_core::bail!("learning rate must be finite and ≥ 0, got {lr}");
    }
    Ok(())
}
