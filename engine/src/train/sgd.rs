//! Stochastic gradient descent with momentum, L2 weight decay and Nesterov momentum, exactly as
//! PyTorch's `torch.optim.SGD` (dampening 0).

use candle_core::backprop::GradStore;
use candle_core::{Result, Tensor, Var};

use super::fused::{supported, Update2, Update3};
use super::optimizer::{check_lr, Optimizer};
use super::OptimizerState;

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
///
/// On the CPU the update runs in place (one pass for the buffer, one for the parameter); elsewhere
/// with tensor ops.
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

    /// In place: `b ← μ·b + (g + wd·p)` (or `b ← g + wd·p` first), then `p ← p − lr·d`.
    fn step_fused(&self, p: &Tensor, g: &Tensor, buf: &mut Option<Tensor>) -> Result<()> {
        let (lr, mu, wd) = (
            self.lr as f32,
            self.momentum as f32,
            self.weight_decay as f32,
        );
        if self.momentum == 0.0 {
            return p.inplace_op2(g, &Update2("sgd", move |p, g| p - lr * (g + wd * p)));
        }
        let b = match buf {
            Some(b) => {
                b.inplace_op3(
                    g,
                    p,
                    &Update3("sgd_buffer", move |b, g, p| mu * b + (g + wd * p)),
                )?;
                b
            }
            None => buf.insert((g + p.detach().affine(self.weight_decay, 0.0)?)?.contiguous()?),
        };
        if self.nesterov {
            p.inplace_op3(
                g,
                b,
                &Update3("sgd_nesterov", move |p, g, b| {
                    p - lr * ((g + wd * p) + mu * b)
                }),
            )
        } else {
            p.inplace_op2(b, &Update2("sgd_momentum", move |p, b| p - lr * b))
        }
    }

    /// The same update with tensor ops (any device, any float dtype).
    fn step_tensor_ops(&self, var: &Var, grad: &Tensor, buf: &mut Option<Tensor>) -> Result<()> {
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
        var.set(&(p - g.affine(self.lr, 0.0)?)?)
    }
}

impl Optimizer for Sgd {
    fn step(&mut self, grads: &GradStore) -> Result<()> {
        let mut buffers = std::mem::take(&mut self.buffers);
        let result = (|| {
            for (var, buf) in self.vars.iter().zip(buffers.iter_mut()) {
                let Some(grad) = grads.get(var) else { continue };
                if supported(var.as_tensor()) {
                    let g = grad.detach().contiguous()?;
                    self.step_fused(var.as_tensor(), &g, buf)?;
                } else {
                    self.step_tensor_ops(var, grad, buf)?;
                }
            }
            Ok(())
        })();
        self.buffers = buffers;
        result
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    /// `buf.<i>` for every momentum buffer created so far.
    fn state(&self) -> Result<OptimizerState> {
        let tensors = self
            .buffers
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.as_ref().map(|b| (format!("buf.{i}"), b.clone())))
            .collect();
        Ok(OptimizerState { step: 0, tensors })
    }

    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        let mut buffers = Vec::with_capacity(self.vars.len());
        for (i, var) in self.vars.iter().enumerate() {
            let name = format!("buf.{i}");
            buffers.push(match state.get(&name) {
                Some(_) => Some(state.fresh_copy(&name, var.as_tensor())?),
                None => None,
            });
        }
        self.buffers = buffers;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    /// The in-place CPU path and the tensor-op path (used on other devices) agree.
    #[test]
    fn fused_and_tensor_op_paths_agree() {
        for (mu, wd, nesterov) in [
            (0.0, 0.0, false),
            (0.0, 0.01, false),
            (0.9, 0.01, false),
            (0.8, 0.001, true),
        ] {
            let init: Vec<f32> = (0..64)
                .map(|i| ((i * 29 % 17) as f32 - 8.0) / 5.0)
                .collect();
            let a = Var::from_vec(init.clone(), (8, 8), &Device::Cpu).unwrap();
            let b = Var::from_vec(init, (8, 8), &Device::Cpu).unwrap();
            let fused = Sgd::new(vec![a.clone()], 0.05, mu, wd, nesterov).unwrap();
            let plain = Sgd::new(vec![b.clone()], 0.05, mu, wd, nesterov).unwrap();
            let (mut buf_a, mut buf_b) = (None, None);
            for _ in 0..4 {
                let ga = a
                    .as_tensor()
                    .powf(3.0)
                    .unwrap()
                    .sum_all()
                    .unwrap()
                    .backward()
                    .unwrap();
                let gb = b
                    .as_tensor()
                    .powf(3.0)
                    .unwrap()
                    .sum_all()
                    .unwrap()
                    .backward()
                    .unwrap();
                let g = ga
                    .get(a.as_tensor())
                    .unwrap()
                    .detach()
                    .contiguous()
                    .unwrap();
                fused.step_fused(a.as_tensor(), &g, &mut buf_a).unwrap();
                plain
                    .step_tensor_ops(&b, gb.get(b.as_tensor()).unwrap(), &mut buf_b)
                    .unwrap();
                let diff: f32 = (a.as_tensor() - b.as_tensor())
                    .unwrap()
                    .abs()
                    .unwrap()
                    .max_all()
                    .unwrap()
                    .to_scalar()
                    .unwrap();
                assert!(diff < 1e-6, "μ {mu} wd {wd} nesterov {nesterov}: {diff}");
            }
        }
    }
}
