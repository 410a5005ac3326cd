//! Seeded weight initialisation (PyTorch's defaults) and the variable store the layers are built in.
//!
//! candle's own initialisers draw from its device RNG, which cannot be seeded on the CPU. Every
//! variable is therefore created zero-filled and then overwritten, in name order, from a ChaCha8
//! stream seeded with the model seed.

use std::collections::BTreeMap;

use candle_core::{DType, Device, Result, Tensor};
use candle_nn::{Init, Linear, VarMap};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::batch_norm::BatchNorm2d;
use super::conv::Conv;

/// How one variable is initialised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum InitRule {
    /// `U(−bound, bound)`.
    Uniform { bound: f64 },
    /// Every element equal to the value.
    Const(f64),
}

/// PyTorch's default bound for `Linear`/`Conv2d` weights and biases:
/// `kaiming_uniform_(a = √5)` gives `gain = √(2/(1+a²)) = √(1/3)` and
/// `bound = gain·√(3/fan_in) = 1/√fan_in`; biases use `U(±1/√fan_in)` too
/// (`torch.nn.Linear.reset_parameters`, `torch.nn.modules.conv._ConvNd.reset_parameters`).
pub(crate) fn default_bound(fan_in: usize) -> f64 {
    let a2 = 5.0f64;
    let gain = (2.0 / (1.0 + a2)).sqrt();
    gain * (3.0 / fan_in as f64).sqrt()
}

/// Creates the named layers of a model and records how each variable is initialised.
pub(crate) struct ParamBuilder {
    varmap: VarMap,
    rules: BTreeMap<String, InitRule>,
    device: Device,
}

impl ParamBuilder {
    pub fn new(device: &Device) -> Self {
        ParamBuilder {
            varmap: VarMap::new(),
            rules: BTreeMap::new(),
            device: device.clone(),
        }
    }

    fn var(&mut self, name: &str, shape: &[usize], rule: InitRule) -> Result<Tensor> {
        if self.rules.insert(name.to_string(), rule).is_some() {
            candle_core::bail!("duplicate variable name {name}");
        }
        self.varmap
            .get(shape, name, Init::Const(0.0), DType::F32, &self.device)
    }

    /// `Linear` `n_in → n_out`: `{name}.weight [n_out, n_in]`, `{name}.bias [n_out]`.
    pub fn linear(&mut self, name: &str, n_in: usize, n_out: usize) -> Result<Linear> {
        let bound = default_bound(n_in);
        let w = self.var(
            &format!("{name}.weight"),
            &[n_out, n_in],
            InitRule::Uniform { bound },
        )?;
        let b = self.var(
            &format!("{name}.bias"),
            &[n_out],
            InitRule::Uniform { bound },
        )?;
        Ok(Linear::new(w, Some(b)))
    }

    /// `k×k` convolution: `{name}.weight [c_out, c_in, k, k]`, and `{name}.bias [c_out]` when `bias`.
    #[allow(clippy::too_many_arguments)]
    pub fn conv2d(
        &mut self,
        name: &str,
        c_in: usize,
        c_out: usize,
        k: usize,
        stride: usize,
        padding: usize,
        bias: bool,
    ) -> Result<Conv> {
        let bound = default_bound(c_in * k * k);
        let w = self.var(
            &format!("{name}.weight"),
            &[c_out, c_in, k, k],
            InitRule::Uniform { bound },
        )?;
        let b = if bias {
            Some(self.var(
                &format!("{name}.bias"),
                &[c_out],
                InitRule::Uniform { bound },
            )?)
        } else {
            None
        };
        Conv::new(w, b, stride, padding)
    }

    /// Batch norm over `c` channels (eps 1e-5, momentum 0.1 as PyTorch): `{name}.weight` (1),
    /// `{name}.bias` (0), `{name}.running_mean` (0), `{name}.running_var` (1).
    pub fn batch_norm(&mut self, name: &str, c: usize) -> Result<BatchNorm2d> {
        let mut t = Vec::with_capacity(4);
        for (suffix, value) in [
            ("weight", 1.0),
            ("bias", 0.0),
            ("running_mean", 0.0),
            ("running_var", 1.0),
        ] {
            t.push(self.var(&format!("{name}.{suffix}"), &[c], InitRule::Const(value))?);
        }
        BatchNorm2d::new(t[0].clone(), t[1].clone(), t[2].clone(), t[3].clone())
    }

    /// Fills every variable, in name order, from ChaCha8 seeded with `seed`, and returns the store.
    pub fn finish(self, seed: u64) -> Result<VarMap> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        {
            let vars = self
                .varmap
                .data()
                .lock()
                .expect("variable store lock poisoned");
            for (name, rule) in &self.rules {
                let var = &vars[name];
                let n = var.elem_count();
                let values: Vec<f32> = match *rule {
                    InitRule::Uniform { bound } => {
                        (0..n).map(|_| uniform(&mut rng, bound)).collect()
                    }
                    InitRule::Const(v) => vec![v as f32; n],
                };
                var.set(&Tensor::from_vec(values, var.shape(), &self.device)?)?;
            }
        }
        Ok(self.varmap)
    }
}

/// One draw of `U(−bound, bound)` from the top 24 bits of a `u32` (exact in f32, independent of
/// `rand`'s distribution code so weights stay stable across `rand` versions).
fn uniform(rng: &mut ChaCha8Rng, bound: f64) -> f32 {
    let u = (rng.next_u32() >> 8) as f64 / (1u64 << 24) as f64; // [0, 1)
    ((2.0 * u - 1.0) * bound) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_bound_is_one_over_sqrt_fan_in() {
        for fan_in in [1usize, 9, 784, 4096] {
            let expected = 1.0 / (fan_in as f64).sqrt();
            assert!((default_bound(fan_in) - expected).abs() < 1e-12);
        }
    }

    #[test]
    fn uniform_stays_in_bounds_and_fills_them() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let draws: Vec<f32> = (0..10_000).map(|_| uniform(&mut rng, 0.5)).collect();
        assert!(draws.iter().all(|&x| (-0.5..0.5).contains(&x)));
        let mean = draws.iter().map(|&x| x as f64).sum::<f64>() / draws.len() as f64;
        let var = draws
            .iter()
            .map(|&x| (x as f64 - mean).powi(2))
            .sum::<f64>()
            / draws.len() as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 0.25 / 3.0).abs() < 0.005, "variance {var}"); // U(±b): b²/3
        assert!(draws.iter().any(|&x| x < -0.49) && draws.iter().any(|&x| x > 0.49));
    }
}
