//! ReLU with a one-pass backward on the CPU ([`generic::relu`] on other devices).
//!
//! candle's ReLU backward builds `zeros_like`, a comparison, a dtype conversion and a product — four
//! full-tensor passes; here it is one (`dy` where `y > 0`, PyTorch's convention at 0).

use super::cpu_slice::contiguous_f32;
use candle_core::{CpuStorage, CustomOp1, CustomOp2, Layout, Result, Shape, Tensor};

use super::backend::Backend;
use super::generic;
use super::par::par_chunks_mut;

/// `max(x, 0)` element-wise, any shape.
pub(crate) fn relu(x: &Tensor) -> Result<Tensor> {
    match Backend::of(x) {
        Backend::CpuKernels => x.contiguous()?.apply_op1(Relu),
        Backend::Generic => generic::relu(x),
    }
}

/// Elements per parallel chunk.
const CHUNK: usize = 1 << 14;

struct Relu;

impl CustomOp1 for Relu {
    fn name(&self) -> &'static str {
        "relu_fused"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let x = contiguous_f32(s, l, "relu")?;
        let mut y = vec![0f32; x.len()];
        par_chunks_mut(&mut y, CHUNK, |i, out| {
            for (o, &v) in out.iter_mut().zip(&x[i * CHUNK..]) {
                // `v.max(0.0)` would turn NaN into 0 and hide a diverging run.
                *o = if v > 0.0 || v.is_nan() { v } else { 0.0 };
            }
        });
        Ok((CpuStorage::F32(y), l.shape().clone()))
    }

    fn bwd(&self, _arg: &Tensor, res: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(res.apply_op2_no_bwd(&grad.contiguous()?, &ReluBwd)?))
    }
}

/// `(y, dy)` → `dy` where `y > 0`, else 0.
struct ReluBwd;

impl CustomOp2 for ReluBwd {
    fn name(&self) -> &'static str {
        "relu_fused_bwd"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let y = contiguous_f32(s1, l1, "relu")?;
        let dy = contiguous_f32(s2, l2, "relu")?;
        let mut dx = vec![0f32; y.len()];
        par_chunks_mut(&mut dx, CHUNK, |i, out| {
            let at = i * CHUNK;
            for ((o, &v), &g) in out.iter_mut().zip(&y[at..]).zip(&dy[at..]) {
                *o = if v > 0.0 { g } else { 0.0 };
            }
        });
        Ok((CpuStorage::F32(dx), l1.shape().clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    #[test]
    fn forward_and_gradient_by_hand() {
        let x = Var::new(&[-2f32, -0.0, 0.0, 0.5, 3.0, f32::NAN], &Device::Cpu).unwrap();
        let y = relu(x.as_tensor()).unwrap();
        let v = y.to_vec1::<f32>().unwrap();
        assert_eq!(&v[..5], &[0.0, 0.0, 0.0, 0.5, 3.0]);
        assert!(v[5].is_nan(), "NaN must propagate");
        let w = Tensor::new(&[1f32, 2.0, 3.0, 4.0, 5.0, 6.0], &Device::Cpu).unwrap();
        let g = (y * w).unwrap().sum_all().unwrap().backward().unwrap();
        let g = g.get(x.as_tensor()).unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(g, [0.0, 0.0, 0.0, 4.0, 5.0, 0.0]);
    }

    #[test]
    fn large_tensors_match_candle() {
        let n = 100_003;
        let data: Vec<f32> = (0..n).map(|i| ((i * 7919) % 201) as f32 - 100.0).collect();
        let x = Tensor::from_vec(data, n, &Device::Cpu).unwrap();
        let ours = relu(&x).unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(ours, x.relu().unwrap().to_vec1::<f32>().unwrap());
    }
}
