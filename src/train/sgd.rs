//! Stochastic gradient descent with momentum, L2 weight decay and Nesterov momentum, exactly as
//! PyTorch's `torch.optim.SGD` (dampening 0).

use candle_core::backprop::GradStore;
use candle_core::{Result, Tensor, Var};

use super::optimizer::{check_lr, Optimizer};

/// `torch.optim.SGD` (Sutskever et al. 2013 momentum formulation). Per step, for each parameter `p`
/// with gradient `g`:
///
/// ```text
/// g ← g + wd·p
/// b ← g                      (first step)
/// b ← μ·b + g                (later steps)
/// g ← g + μ·b  if nesterov, else g ← b      (only when μ ≠ 0)
/// p ← p − lr·g
/// ```
pub struct Sgd {
    vars: Vec<Var>,
    /// Momentum buffers, one per var, created at its first step.
    buffers: Vec<Option<Tensor>>,
    lr: f64,
    momentum: f64,
    weight_decay: f64,
    nesterov: bool,
}

impl Sgd {
    /// SGD over `vars`. Errors when `lr` < 0, `momentum` ∉ [0, 1), `weight_decay` < 0, or
    /// `nesterov` without momentum (as PyTorch).
    pub fn new(
        vars: Vec<Var>,
        lr: f64,
        momentum: f64,
        weight_decay: f64,
        nesterov: bool,
    ) -> Result<Self> {
        check_lr(lr)?;
        if !(0.0..1.0).contains(&momentum) {
            candle_core::bail!("sgd momentum must be in [0, 1), got {momentum}");
        }
        if !(weight_decay.is_finite() && weight_decay >= 0.0) {
            candle_core::bail!("sgd weight_decay must be finite and ≥ 0, got {weight_decay}");
        }
        if nesterov && momentum == 0.0 {
            candle_core::bail!("sgd nesterov requires a momentum > 0");
        }
        let vars: Vec<Var> = vars.into_iter().filter(|v| v.dtype().is_float()).collect();
        let buffers = vec![None; vars.len()];
        Ok(Sgd {
            vars,
            buffers,
            lr,
            momentum,
            weight_decay,
            nesterov,
        })
    }
}

impl Optimizer for Sgd {
    fn step(&mut self, grads: &GradStore) -> Result<()> {
        for (var, buf) in self.vars.iter().zip(self.buffers.iter_mut()) {
            let Some(grad) = grads.get(var) else { continue };
            // Detached copies: no op graph links one step to the next.
            let p = var.as_detached_tensor();
            let mut g = grad.detach();
            if self.weight_decay != 0.0 {
                g = (g + p.affine(self.weight_decay, 0.0)?)?;
            }
            if self.momentum != 0.0 {
                let b = match buf.take() {
                    None => g.clone(),
                    Some(b) => (b.affine(self.momentum, 0.0)? + &g)?,
                };
                g = if self.nesterov {
                    (g + b.affine(self.momentum, 0.0)?)?
                } else {
                    b.clone()
                };
                *buf = Some(b);
            }
            var.set(&(p - g.affine(self.lr, 0.0)?)?)?;
        }
        Ok(())
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }
}
