//! AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2).

use candle_core::backprop::GradStore;
use candle_core::{Result, Tensor, Var};

use super::fused::{par_update3, supported, with_values, with_values_mut};
use super::optimizer::{check_lr, Optimizer};
use super::OptimizerState;

/// Adam with decoupled weight decay, the update of `torch.optim.AdamW` and `candle_nn::AdamW`:
/// per step `t`, `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `p ← p·(1 − lr·wd) − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`.
///
/// On the CPU the update runs in place (one pass, no allocation); on other devices with tensor
/// ops. Either way the moments are kept here, so a checkpoint can save them on any device.
pub struct AdamW {
    /// `(parameter, first moment m, second moment v)`.
    vars: Vec<(Var, Tensor, Tensor)>,
    params: candle_nn::ParamsAdamW,
    t: i32,
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
        let vars = vars
            .into_iter()
            .filter(|v| v.dtype().is_float())
            .map(|v| {
                let m = v.as_tensor().zeros_like()?;
                let s = v.as_tensor().zeros_like()?;
                Ok((v, m, s))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AdamW { vars, params, t: 0 })
    }
}

impl Optimizer for AdamW {
    fn step(&mut self, grads: &GradStore) -> Result<()> {
        self.t += 1;
        let p = &self.params;
        let (b1, b2) = (p.beta1 as f32, p.beta2 as f32);
        let bc1 = (1.0 - p.beta1.powi(self.t)) as f32;
        let bc2 = (1.0 - p.beta2.powi(self.t)) as f32;
        let (lr, eps) = (p.lr as f32, p.eps as f32);
        let decay = (1.0 - p.lr * p.weight_decay) as f32;
        for (var, m, v) in &mut self.vars {
            let Some(grad) = grads.get(var) else { continue };
            if supported(var.as_tensor()) && supported(m) && supported(v) {
                let g = grad.detach().contiguous()?;
                // One pass over p, m, v and g (each element's arithmetic as candle_nn::AdamW).
                with_values(&g, |g| {
                    with_values_mut(m, |m| {
                        with_values_mut(v, |v| {
                            with_values_mut(var.as_tensor(), |p| {
                                par_update3(p, m, v, g, |p, m, v, g| {
                                    for (((p, m), v), &g) in
                                        p.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(g)
                                    {
                                        *m = b1 * *m + (1.0 - b1) * g;
                                        *v = b2 * *v + (1.0 - b2) * g * g;
                                        *p = *p * decay
                                            - lr * (*m / bc1) / ((*v / bc2).sqrt() + eps);
                                    }
                                })
                            })
                        })
                    })
                })?;
            } else {
                // The same arithmetic as tensor ops (f64 constants, as candle_nn::AdamW).
                let g = grad.detach();
                *m = ((&*m * p.beta1)? + (&g * (1.0 - p.beta1))?)?;
                *v = ((&*v * p.beta2)? + (g.sqr()? * (1.0 - p.beta2))?)?;
                let m_hat = (&*m / (1.0 - p.beta1.powi(self.t)))?;
                let v_hat = (&*v / (1.0 - p.beta2.powi(self.t)))?;
                let step = (m_hat / (v_hat.sqrt()? + p.eps)?)?;
                let next =
                    ((var.as_detached_tensor() * (1.0 - p.lr * p.weight_decay))? - (step * p.lr)?)?;
                var.set(&next)?;
            }
        }
        Ok(())
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.params.lr = lr;
    }

    fn learning_rate(&self) -> f64 {
        self.params.lr
    }

    /// `m.<i>`, `v.<i>` and the step count `t`, on the variables' device.
    fn state(&self) -> Result<OptimizerState> {
        let mut tensors = Vec::with_capacity(2 * self.vars.len());
        for (i, (_, m, v)) in self.vars.iter().enumerate() {
            tensors.push((format!("m.{i}"), m.clone()));
            tensors.push((format!("v.{i}"), v.clone()));
        }
        Ok(OptimizerState {
            step: self.t as u64,
            tensors,
        })
    }

    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        let mut moments = Vec::with_capacity(self.vars.len());
        for (i, (var, _, _)) in self.vars.iter().enumerate() {
            let m = state.fresh_copy(&format!("m.{i}"), var.as_tensor())?;
            let v = state.fresh_copy(&format!("v.{i}"), var.as_tensor())?;
            moments.push((m, v));
        }
        for ((_, m, v), (m2, v2)) in self.vars.iter_mut().zip(moments) {
            (*m, *v) = (m2, v2);
        }
        self.t = state.step as i32;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    /// The fused CPU update, and the tensor-op update of other devices, equal `candle_nn::AdamW`
    /// over several steps with a rate change.
    #[test]
    fn fused_update_equals_candle_adamw() {
        fused_or_generic_equals_candle_adamw();
        crate::model::with_generic_ops(fused_or_generic_equals_candle_adamw);
    }

    fn fused_or_generic_equals_candle_adamw() {
        use candle_nn::Optimizer as _;
        let init: Vec<f32> = (0..100)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) / 7.0)
            .collect();
        let a = Var::from_vec(init.clone(), (10, 10), &Device::Cpu).unwrap();
        let b = Var::from_vec(init, (10, 10), &Device::Cpu).unwrap();
        let mut ours = AdamW::new(vec![a.clone()], 0.05, 0.1, 0.8, 0.99, 1e-6).unwrap();
        let params = candle_nn::ParamsAdamW {
            lr: 0.05,
            beta1: 0.8,
            beta2: 0.99,
            eps: 1e-6,
            weight_decay: 0.1,
        };
        let mut reference = candle_nn::AdamW::new(vec![b.clone()], params).unwrap();
        for step in 0..6 {
            if step == 3 {
                ours.set_learning_rate(0.01);
                reference.set_learning_rate(0.01);
            }
            // loss = Σ p³/3 + Σ p: gradient p² + 1, different per element and step.
            let loss = |v: &Var| {
                let t = v.as_tensor();
                ((t.powf(3.0).unwrap() / 3.0).unwrap() + t)
                    .unwrap()
                    .sum_all()
                    .unwrap()
            };
            ours.step(&loss(&a).backward().unwrap()).unwrap();
            reference.step(&loss(&b).backward().unwrap()).unwrap();
            let diff: f32 = (a.as_tensor() - b.as_tensor())
                .unwrap()
                .abs()
                .unwrap()
                .max_all()
                .unwrap()
                .to_scalar()
                .unwrap();
            assert!(diff < 1e-5, "step {step}: {diff}");
        }
    }
}
