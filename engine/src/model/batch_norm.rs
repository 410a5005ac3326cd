//! 2-D batch normalisation (Ioffe & Szegedy 2015) with a fused CPU kernel for training.
//!
//! candle's `BatchNorm::forward_train` is about a dozen tensor ops, each with its own backward, and
//! returns a transposed (non-contiguous) tensor; in a CIFAR ResNet that is most of a training step.
//! Here training mode on the CPU is one custom op: a statistics pass and a normalisation pass
//! forward, and the closed-form gradient backward. Elsewhere the same formula as tensor ops
//! ([`generic::batch_norm_train`]).

use super::cpu_slice::contiguous_f32;
use std::sync::{Arc, Mutex};

use candle_core::{CpuStorage, CustomOp2, CustomOp3, DType, Layout, Result, Shape, Tensor, Var};

use super::backend::Backend;
use super::generic;
use super::par::{par_chunks_mut, par_pieces_mut};

/// Batch norm over the channels of `[B, C, H, W]`: `y = γ·(x − μ)/√(σ² + ε) + β` with the batch mean
/// and biased variance over `B·H·W` in training, the running estimates in evaluation. Running
/// stats follow PyTorch: `r ← (1 − m)·r + m·s`, with the unbiased variance, `m = 0.1`.
#[derive(Debug, Clone)]
pub(crate) struct BatchNorm2d {
    weight: Tensor,
    bias: Tensor,
    running_mean: Var,
    running_var: Var,
    eps: f64,
    momentum: f64,
}

impl BatchNorm2d {
    /// From the four variables of one layer (all `[C]`).
    pub fn new(
        weight: Tensor,
        bias: Tensor,
        running_mean: Tensor,
        running_var: Tensor,
    ) -> Result<Self> {
        let (eps, momentum) = (1e-5, 0.1);
        Ok(BatchNorm2d {
            weight,
            bias,
            running_mean: Var::from_tensor(&running_mean)?,
            running_var: Var::from_tensor(&running_var)?,
            eps,
            momentum,
        })
    }

    /// `x [B, C, H, W]` → same shape. `train` uses (and records) batch statistics.
    pub fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        if x.rank() != 4 {
            candle_core::bail!("batch norm: expected [B, C, H, W], got {:?}", x.dims());
        }
        if !train {
            let c = self.weight.dim(0)?;
            let inv_std = (self.running_var.as_detached_tensor() + self.eps)?
                .sqrt()?
                .recip()?;
            let scale = (&self.weight * inv_std)?;
            let shift = (&self.bias - (self.running_mean.as_detached_tensor() * &scale)?)?;
            return x
                .broadcast_mul(&scale.reshape((1, c, 1, 1))?)?
                .broadcast_add(&shift.reshape((1, c, 1, 1))?);
        }
        let (b, _, h, w) = x.dims4()?;
        let n = b * h * w;
        if n < 2 {
            candle_core::bail!(
                "batch norm in training needs more than one value per channel, got input {:?}",
                x.dims()
            );
        }
        let (y, mean, var) = match Backend::of(x) {
            Backend::CpuKernels => self.train_kernel(x)?,
            Backend::Generic => generic::batch_norm_train(x, &self.weight, &self.bias, self.eps)?,
        };
        let m = self.momentum;
        let unbiased = var.affine(n as f64 / (n - 1) as f64, 0.0)?;
        let rm = (self
            .running_mean
            .as_detached_tensor()
            .affine(1.0 - m, 0.0)?
            + mean.affine(m, 0.0)?)?;
        let rv = (self.running_var.as_detached_tensor().affine(1.0 - m, 0.0)?
            + unbiased.affine(m, 0.0)?)?;
        self.running_mean.set(&rm)?;
        self.running_var.set(&rv)?;
        Ok(y)
    }

    /// The fused CPU op: `(y, batch mean [C], biased batch variance [C])`.
    fn train_kernel(&self, x: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
        let op = BnTrain {
            eps: self.eps,
            stats: Arc::new(Mutex::new(None)),
        };
        let stats = op.stats.clone();
        let y = x.contiguous()?.apply_op3(&self.weight, &self.bias, op)?;
        let (mean, var) = {
            let guard = stats.lock().expect("batch-norm statistics lock poisoned");
            let s = guard
                .as_ref()
                .expect("batch-norm forward records its statistics");
            (s.mean.clone(), s.var.clone())
        };
        let c = mean.len();
        let dev = x.device();
        Ok((
            y,
            Tensor::from_vec(mean, c, dev)?,
            Tensor::from_vec(var, c, dev)?,
        ))
    }
}

/// Per-channel batch statistics of one forward pass: mean, biased variance, `1/√(σ² + ε)`.
#[derive(Debug, Clone)]
struct Stats {
    mean: Vec<f32>,
    var: Vec<f32>,
    inv_std: Vec<f32>,
}

/// Mean and biased variance of every channel of `x [B, C, HW]` (f64 accumulation).
fn channel_stats(x: &[f32], b: usize, c: usize, hw: usize, eps: f64) -> Stats {
    let mut mean = vec![0f32; c];
    let mut var = vec![0f32; c];
    let n = (b * hw) as f64;
    par_pieces_mut(&mut mean, 1, |ci, m| {
        let mut s = 0f64;
        for bi in 0..b {
            s += x[(bi * c + ci) * hw..][..hw]
                .iter()
                .map(|&v| v as f64)
                .sum::<f64>();
        }
        m[0] = (s / n) as f32;
    });
    par_pieces_mut(&mut var, 1, |ci, v| {
        let mu = mean[ci] as f64;
        let mut s = 0f64;
        for bi in 0..b {
            s += x[(bi * c + ci) * hw..][..hw]
                .iter()
                .map(|&v| (v as f64 - mu).powi(2))
                .sum::<f64>();
        }
        v[0] = (s / n) as f32;
    });
    let inv_std = var
        .iter()
        .map(|&v| (1.0 / (v as f64 + eps).sqrt()) as f32)
        .collect();
    Stats { mean, var, inv_std }
}

/// Training-mode batch norm of `(x [B, C, H, W], γ [C], β [C])`; records its statistics for the
/// running estimates and for the backward pass.
struct BnTrain {
    eps: f64,
    stats: Arc<Mutex<Option<Stats>>>,
}

impl CustomOp3 for BnTrain {
    fn name(&self) -> &'static str {
        "batch_norm_train"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (b, c, h, w) = l1.shape().dims4()?;
        let hw = h * w;
        let x = contiguous_f32(s1, l1, "input")?;
        let gamma = contiguous_f32(s2, l2, "weight")?;
        let beta = contiguous_f32(s3, l3, "bias")?;
        if gamma.len() != c || beta.len() != c {
            candle_core::bail!(
                "batch norm: {c} channels, weight/bias have {}/{}",
                gamma.len(),
                beta.len()
            );
        }
        let st = channel_stats(x, b, c, hw, self.eps);
        let mut y = vec![0f32; x.len()];
        par_chunks_mut(&mut y, hw, |p, out| {
            let ci = p % c;
            let (mu, k, beta) = (st.mean[ci], st.inv_std[ci] * gamma[ci], beta[ci]);
            for (o, &v) in out.iter_mut().zip(&x[p * hw..(p + 1) * hw]) {
                *o = (v - mu) * k + beta;
            }
        });
        *self
            .stats
            .lock()
            .expect("batch-norm statistics lock poisoned") = Some(st);
        Ok((CpuStorage::F32(y), Shape::from((b, c, h, w))))
    }

    /// With `x̂ = (x − μ)/√(σ² + ε)` and `N = B·H·W`: `dβ = Σ dy`, `dγ = Σ dy·x̂`,
    /// `dx = γ/√(σ² + ε) · (dy − dβ/N − x̂·dγ/N)` (Ioffe & Szegedy 2015, §3).
    fn bwd(
        &self,
        x: &Tensor,
        gamma: &Tensor,
        _beta: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let stats = self
            .stats
            .lock()
            .expect("batch-norm statistics lock poisoned")
            .clone()
            .ok_or_else(|| candle_core::Error::Msg("batch norm backward before forward".into()))?;
        let sums = Arc::new(Mutex::new(None));
        let op = BnTrainBwd {
            stats,
            gamma: gamma.to_dtype(DType::F32)?.to_vec1::<f32>()?,
            sums: sums.clone(),
        };
        let dx = x.apply_op2_no_bwd(&grad.contiguous()?, &op)?;
        let (dgamma, dbeta) = sums
            .lock()
            .expect("batch-norm gradient lock poisoned")
            .take()
            .expect("batch-norm backward records dγ and dβ");
        let c = dgamma.len();
        let dgamma = Tensor::from_vec(dgamma, c, x.device())?;
        let dbeta = Tensor::from_vec(dbeta, c, x.device())?;
        Ok((Some(dx), Some(dgamma), Some(dbeta)))
    }
}

/// `(dγ, dβ)` handed from the backward kernel to [`BnTrain::bwd`].
type GradSums = Arc<Mutex<Option<(Vec<f32>, Vec<f32>)>>>;

/// `(x, dy)` → `dx`; leaves `(dγ, dβ)` in `sums`.
struct BnTrainBwd {
    stats: Stats,
    gamma: Vec<f32>,
    sums: GradSums,
}

impl CustomOp2 for BnTrainBwd {
    fn name(&self) -> &'static str {
        "batch_norm_train_bwd"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (b, c, h, w) = l1.shape().dims4()?;
        let hw = h * w;
        let x = contiguous_f32(s1, l1, "input")?;
        let dy = contiguous_f32(s2, l2, "gradient")?;
        let st = &self.stats;
        // dβ_c = Σ dy, dγ_c = Σ dy·x̂ over the channel's B·H·W values.
        let mut sums = vec![0f32; 2 * c];
        par_pieces_mut(&mut sums, 2, |ci, s| {
            let (mu, k) = (st.mean[ci], st.inv_std[ci]);
            let (mut sb, mut sg) = (0f64, 0f64);
            for bi in 0..b {
                let at = (bi * c + ci) * hw;
                for (&v, &g) in x[at..at + hw].iter().zip(&dy[at..at + hw]) {
                    sb += g as f64;
                    sg += (g * (v - mu) * k) as f64;
                }
            }
            s[0] = sg as f32;
            s[1] = sb as f32;
        });
        let n = (b * hw) as f32;
        let mut dx = vec![0f32; x.len()];
        par_chunks_mut(&mut dx, hw, |p, out| {
            let ci = p % c;
            let (mu, k) = (st.mean[ci], st.inv_std[ci]);
            let (dg, db) = (sums[2 * ci] / n, sums[2 * ci + 1] / n);
            let scale = self.gamma[ci] * k;
            let at = p * hw;
            for ((o, &v), &g) in out.iter_mut().zip(&x[at..at + hw]).zip(&dy[at..at + hw]) {
                *o = scale * (g - db - (v - mu) * k * dg);
            }
        });
        let dgamma = (0..c).map(|ci| sums[2 * ci]).collect();
        let dbeta = (0..c).map(|ci| sums[2 * ci + 1]).collect();
        *self.sums.lock().expect("batch-norm gradient lock poisoned") = Some((dgamma, dbeta));
        Ok((CpuStorage::F32(dx), Shape::from((b, c, h, w))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;
    use candle_nn::ModuleT;

    use crate::model::cpu_slice::test_support::max_diff;

    /// Deterministic pseudo-random values in [-1.5, -1.5 + 4.0).
    fn values(n: usize, seed: u64) -> Vec<f32> {
        crate::model::cpu_slice::test_support::values(n, seed, -1.5, 4.0)
    }

    /// Two layers on the same starting values: ours and `candle_nn::BatchNorm` (autograd of plain
    /// tensor ops) as the reference.
    fn pair(c: usize) -> (BatchNorm2d, candle_nn::BatchNorm, [Var; 4], [Var; 4]) {
        let dev = Device::Cpu;
        let make = || {
            [
                Var::from_vec(values(c, 1), c, &dev).unwrap(),
                Var::from_vec(values(c, 2), c, &dev).unwrap(),
                Var::from_vec(values(c, 3), c, &dev).unwrap(),
                Var::from_vec(
                    values(c, 4).iter().map(|v| v.abs() + 0.5).collect(),
                    c,
                    &dev,
                )
                .unwrap(),
            ]
        };
        let (a, r) = (make(), make());
        let ours = BatchNorm2d::new(
            a[0].as_tensor().clone(),
            a[1].as_tensor().clone(),
            a[2].as_tensor().clone(),
            a[3].as_tensor().clone(),
        )
        .unwrap();
        let reference = candle_nn::BatchNorm::new_with_momentum(
            c,
            r[2].as_tensor().clone(),
            r[3].as_tensor().clone(),
            r[0].as_tensor().clone(),
            r[1].as_tensor().clone(),
            1e-5,
            0.1,
        )
        .unwrap();
        (ours, reference, a, r)
    }

    #[test]
    fn training_forward_backward_and_running_stats_match_candle() {
        let dev = Device::Cpu;
        for (b, c, h, w) in [(4, 3, 5, 5), (2, 5, 3, 4), (7, 2, 1, 1)] {
            let (ours, reference, a, r) = pair(c);
            let x_data = values(b * c * h * w, 9);
            let xa = Var::from_vec(x_data.clone(), (b, c, h, w), &dev).unwrap();
            let xr = Var::from_vec(x_data, (b, c, h, w), &dev).unwrap();
            let ya = ours.forward_t(xa.as_tensor(), true).unwrap();
            let yr = reference.forward_t(xr.as_tensor(), true).unwrap();
            assert!(max_diff(&ya, &yr) < 1e-5);
            for i in [2, 3] {
                assert!(
                    max_diff(a[i].as_tensor(), r[i].as_tensor()) < 1e-5,
                    "running stat {i}"
                );
            }
            let mix = Tensor::from_vec(values(ya.elem_count(), 5), ya.shape(), &dev).unwrap();
            let ga = (ya * &mix).unwrap().sum_all().unwrap().backward().unwrap();
            let gr = (yr * &mix).unwrap().sum_all().unwrap().backward().unwrap();
            let d = max_diff(
                ga.get(xa.as_tensor()).unwrap(),
                gr.get(xr.as_tensor()).unwrap(),
            );
            assert!(d < 1e-4, "dx differs by {d}");
            for i in [0, 1] {
                let d = max_diff(
                    ga.get(a[i].as_tensor()).unwrap(),
                    gr.get(r[i].as_tensor()).unwrap(),
                );
                assert!(d < 1e-4, "d{} differs by {d}", ["γ", "β"][i]);
            }
            assert!(ga.get(a[2].as_tensor()).is_none() && ga.get(a[3].as_tensor()).is_none());
        }
    }

    #[test]
    fn eval_forward_matches_candle_and_leaves_running_stats() {
        let (ours, reference, a, _) = pair(3);
        let x = Tensor::from_vec(values(2 * 3 * 4 * 4, 7), (2, 3, 4, 4), &Device::Cpu).unwrap();
        let before = a[2].as_tensor().to_vec1::<f32>().unwrap();
        let d = max_diff(
            &ours.forward_t(&x, false).unwrap(),
            &reference.forward_t(&x, false).unwrap(),
        );
        assert!(d < 1e-5);
        assert_eq!(a[2].as_tensor().to_vec1::<f32>().unwrap(), before);
    }

    #[test]
    fn one_value_per_channel_is_an_error() {
        let (ours, _, _, _) = pair(2);
        let x = Tensor::zeros((1, 2, 1, 1), DType::F32, &Device::Cpu).unwrap();
        assert!(ours.forward_t(&x, true).is_err());
    }
}
