//! AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2).

use candle_core::backprop::GradStore;
use candle_core::{Result, Tensor, Var};
use candle_nn::Optimizer as _;

use super::fused::{supported, Update2, Update3};
use super::optimizer::{check_lr, Optimizer};
use super::OptimizerState;

/// Adam with decoupled weight decay, the update of `torch.optim.AdamW` and `candle_nn::AdamW`:
/// per step `t`, `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `p ← p·(1 − lr·wd) − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`.
///
/// On the CPU the update runs in place (three passes, no allocation); on other devices it is
/// `candle_nn::AdamW`.
pub struct AdamW {
    inner: Inner,
}

enum Inner {
    Fused(FusedAdamW),
    Candle(candle_nn::AdamW),
}

struct FusedAdamW {
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
        let vars: Vec<Var> = vars.into_iter().filter(|v| v.dtype().is_float()).collect();
        let inner = if vars.iter().all(|v| supported(v.as_tensor())) {
            let vars = vars
                .into_iter()
                .map(|v| {
                    let m = v.as_tensor().zeros_like()?;
                    let s = v.as_tensor().zeros_like()?;
                    Ok((v, m, s))
                })
                .collect::<Result<Vec<_>>>()?;
            Inner::Fused(FusedAdamW { vars, params, t: 0 })
        } else {
            Inner::Candle(candle_nn::AdamW::new(vars, params)?)
        };
        Ok(AdamW { inner })
    }
}

impl FusedAdamW {
    fn step(&mut self, grads: &GradStore) -> Result<()> {
        self.t += 1;
        let p = &self.params;
        let (b1, b2) = (p.beta1 as f32, p.beta2 as f32);
        let bc1 = (1.0 - p.beta1.powi(self.t)) as f32;
        let bc2 = (1.0 - p.beta2.powi(self.t)) as f32;
        let (lr, eps) = (p.lr as f32, p.eps as f32);
        let decay = (1.0 - p.lr * p.weight_decay) as f32;
        for (var, m, v) in &self.vars {
            let Some(grad) = grads.get(var) else { continue };
            let g = grad.detach().contiguous()?;
            m.inplace_op2(&g, &Update2("adamw_m", move |m, g| b1 * m + (1.0 - b1) * g))?;
            v.inplace_op2(
                &g,
                &Update2("adamw_v", move |v, g| b2 * v + (1.0 - b2) * g * g),
            )?;
            var.as_tensor().inplace_op3(
                m,
                v,
                &Update3("adamw_p", move |p: f32, m: f32, v: f32| {
                    p * decay - lr * (m / bc1) / ((v / bc2).sqrt() + eps)
                }),
            )?;
        }
        Ok(())
    }
}

impl Optimizer for AdamW {
    fn step(&mut self, grads: &GradStore) -> Result<()> {
        match &mut self.inner {
            Inner::Fused(f) => f.step(grads),
            Inner::Candle(c) => c.step(grads),
        }
    }

    fn set_learning_rate(&mut self, lr: f64) {
        match &mut self.inner {
            Inner::Fused(f) => f.params.lr = lr,
            Inner::Candle(c) => c.set_learning_rate(lr),
        }
    }

    fn learning_rate(&self) -> f64 {
        match &self.inner {
            Inner::Fused(f) => f.params.lr,
            Inner::Candle(c) => c.learning_rate(),
        }
    }

    /// `m.<i>`, `v.<i>` and the step count `t` (CPU path only; candle's AdamW hides its state).
    fn state(&self) -> Result<OptimizerState> {
        let Inner::Fused(f) = &self.inner else {
            candle_core::bail!("adamw: saving the state is supported on the CPU only");
        };
        let mut tensors = Vec::with_capacity(2 * f.vars.len());
        for (i, (_, m, v)) in f.vars.iter().enumerate() {
            tensors.push((format!("m.{i}"), m.clone()));
            tensors.push((format!("v.{i}"), v.clone()));
        }
        Ok(OptimizerState {
            step: f.t as u64,
            tensors,
        })
    }

    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        let Inner::Fused(f) = &mut self.inner else {
            candle_core::bail!("adamw: loading a state is supported on the CPU only");
        };
        let mut moments = Vec::with_capacity(f.vars.len());
        for (i, (var, _, _)) in f.vars.iter().enumerate() {
            let m = state.fresh_copy(&format!("m.{i}"), var.as_tensor())?;
            let v = state.fresh_copy(&format!("v.{i}"), var.as_tensor())?;
            moments.push((m, v));
        }
        for ((_, m, v), (m2, v2)) in f.vars.iter_mut().zip(moments) {
            (*m, *v) = (m2, v2);
        }
        f.t = state.step as i32;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    /// The fused CPU update equals `candle_nn::AdamW` over several steps with a rate change.
    #[test]
    fn fused_update_equals_candle_adamw() {
        let init: Vec<f32> = (0..100)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) / 7.0)
            .collect();
        let a = Var::from_vec(init.clone(), (10, 10), &Device::Cpu).unwrap();
        let b = Var::from_vec(init, (10, 10), &Device::Cpu).unwrap();
        let mut ours = AdamW::new(vec![a.clone()], 0.05, 0.1, 0.8, 0.99, 1e-6).unwrap();
        assert!(matches!(ours.inner, Inner::Fused(_)));
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
