//! AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2), by
//! `candle_nn::AdamW`.

use candle_core::backprop::GradStore;
use candle_core::{Result, Var};
use candle_nn::Optimizer as _;

use super::optimizer::{check_lr, Optimizer};

/// Adam with decoupled weight decay: per step `t`, `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `p ← p·(1 − lr·wd) − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)` — the same update as `torch.optim.AdamW`.
pub struct AdamW {
    inner: candle_nn::AdamW,
}

impl AdamW {
    /// AdamW over `vars`. Errors when `lr` < 0, a beta ∉ [0, 1), `eps` ≤ 0 or `weight_decay` < 0.
    pub fn new(
        vars: Vec<Var>,
        lr: f64,
        weight_decay: f64,
        beta1: f64,
        beta2: f64,
        eps: f64,
    ) -> Result<Self> {
        check_lr(lr)?;
        for (name, beta) in [("beta1", beta1), ("beta2", beta2)] {
            if !(0.0..1.0).contains(&beta) {
                candle_core::bail!("adamw {name} must be in [0, 1), got {beta}");
            }
        }
        if !(eps.is_finite() && eps > 0.0) {
            candle_core::bail!("adamw eps must be finite and > 0, got {eps}");
        }
        if !(weight_decay.is_finite() && weight_decay >= 0.0) {
            candle_core::bail!("adamw weight_decay must be finite and ≥ 0, got {weight_decay}");
        }
        let params = candle_nn::ParamsAdamW {
            lr,
            beta1,
            beta2,
            eps,
            weight_decay,
        };
        Ok(AdamW {
            inner: candle_nn::AdamW::new(vars, params)?,
        })
    }
}

impl Optimizer for AdamW {
    fn step(&mut self, grads: &GradStore) -> Result<()> {
        self.inner.step(grads)
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.inner.set_learning_rate(lr);
    }

    fn learning_rate(&self) -> f64 {
        self.inner.learning_rate()
    }
}
