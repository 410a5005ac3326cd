//! Square-kernel 2-D convolution layer: per-image im2col + GEMM on the CPU ([`Conv2dOp`]),
//! candle's `conv2d` with a corrected backward elsewhere ([`generic::conv2d`]).

use candle_core::{DType, Result, Tensor};

use super::backend::Backend;
use super::conv_op::Conv2dOp;
use super::conv_relu_pool::ConvReluPool;
use super::generic;
use super::im2col::ConvGeom;
use super::max_pool::relu_max_pool2x2;

/// `k×k` convolution with `stride` and zero `padding`; weight `[C_out, C_in, k, k]`, bias `[C_out]`.
#[derive(Debug, Clone)]
pub(crate) struct Conv {
    weight: Tensor,
    bias: Option<Tensor>,
    k: usize,
    stride: usize,
    padding: usize,
}

impl Conv {
    pub fn new(
        weight: Tensor,
        bias: Option<Tensor>,
        stride: usize,
        padding: usize,
    ) -> Result<Self> {
        let (_, _, k, k2) = weight.dims4()?;
        if k != k2 {
            candle_core::bail!("conv: square kernels only, got {k}×{k2}");
        }
        Ok(Conv {
            weight,
            bias,
            k,
            stride,
            padding,
        })
    }

    /// `x [B, C_in, H, W]` → `[B, C_out, OH, OW]`, `OH = ⌊(H + 2p − k)/s⌋ + 1`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if Backend::of(x) == Backend::CpuKernels {
            return self.forward_im2col(x);
        }
        let y = generic::conv2d(x, &self.weight, self.stride, self.padding)?;
        match &self.bias {
            None => Ok(y),
            Some(b) => y.broadcast_add(&b.reshape((1, (), 1, 1))?),
        }
    }

    /// `max_pool2x2(relu(self.forward(x)))`; on the CPU in training one graph node
    /// ([`ConvReluPool`]), with the same numbers.
    pub fn forward_relu_pool(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        if train && Backend::of(x) == Backend::CpuKernels {
            let (x, g) = self.geometry(x)?;
            let (w, bias) = self.weight_and_bias(&x)?;
            return x.apply_op3(&w, &bias, ConvReluPool::new(g));
        }
        relu_max_pool2x2(&self.forward(x)?, train)
    }

    /// The weight `[C_out, C, k, k]`.
    #[cfg(test)]
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The bias `[C_out]`, if the layer has one.
    #[cfg(test)]
    pub fn bias(&self) -> Option<&Tensor> {
        self.bias.as_ref()
    }

    fn forward_im2col(&self, x: &Tensor) -> Result<Tensor> {
        let (x, g) = self.geometry(x)?;
        let (w, bias) = self.weight_and_bias(&x)?;
        x.apply_op3(&w, &bias, Conv2dOp(g))
    }

    /// The weight (contiguous) and the bias, zeros for a layer without one.
    fn weight_and_bias(&self, x: &Tensor) -> Result<(Tensor, Tensor)> {
        let (c_out, _, _, _) = self.weight.dims4()?;
        let bias = match &self.bias {
            Some(b) => b.contiguous()?,
            None => Tensor::zeros(c_out, DType::F32, x.device())?,
        };
        Ok((self.weight.contiguous()?, bias))
    }

    /// `x` contiguous and the geometry of this layer on it. Errors on a channel mismatch or an
    /// input smaller than the kernel.
    fn geometry(&self, x: &Tensor) -> Result<(Tensor, ConvGeom)> {
        let (b, c, h, w) = x.dims4()?;
        let (c_out, c_in, _, _) = self.weight.dims4()?;
        if c != c_in {
            candle_core::bail!("conv: input has {c} channels, the weight expects {c_in}");
        }
        if h + 2 * self.padding < self.k || w + 2 * self.padding < self.k {
            candle_core::bail!(
                "conv: {h}×{w} input is smaller than the {}×{} kernel",
                self.k,
                self.k
            );
        }
        let g = ConvGeom {
            b,
            c,
            h,
            w,
            c_out,
            k: self.k,
            stride: self.stride,
            pad: self.padding,
        };
        Ok((x.contiguous()?, g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    use crate::model::cpu_slice::test_support::max_diff;

    /// Deterministic pseudo-random values in [-1.0, -1.0 + 2.0).
    fn values(n: usize, seed: u64) -> Vec<f32> {
        crate::model::cpu_slice::test_support::values(n, seed, -1.0, 2.0)
    }

    /// Forward, input gradient and weight gradient equal candle's `conv2d` (its backward is the
    /// reference; it is only right for square inputs — with stride 2 and H, W of different parity
    /// it returns a wrongly shaped input gradient, see `input_gradient_is_the_adjoint`).
    #[test]
    fn matches_candle_conv2d_forward_and_backward() {
        let dev = Device::Cpu;
        // (b, c_in, h, w, c_out, k, stride, pad)
        for (i, &(b, c, h, w, co, k, s, p)) in [
            (2, 1, 5, 5, 3, 3, 1, 1),
            (3, 2, 7, 7, 4, 3, 2, 1),
            (2, 3, 8, 8, 5, 1, 2, 0),
            (1, 4, 4, 5, 2, 1, 1, 0),
            (2, 2, 6, 6, 3, 3, 1, 0),
        ]
        .iter()
        .enumerate()
        {
            let x = Var::from_vec(values(b * c * h * w, i as u64), (b, c, h, w), &dev).unwrap();
            let wt =
                Var::from_vec(values(co * c * k * k, 100 + i as u64), (co, c, k, k), &dev).unwrap();
            let bias = Var::from_vec(values(co, 200 + i as u64), co, &dev).unwrap();
            let conv =
                Conv::new(wt.as_tensor().clone(), Some(bias.as_tensor().clone()), s, p).unwrap();
            let ours = conv.forward(x.as_tensor()).unwrap();
            let reference = x
                .as_tensor()
                .conv2d(wt.as_tensor(), p, s, 1, 1)
                .unwrap()
                .broadcast_add(&bias.as_tensor().reshape((1, co, 1, 1)).unwrap())
                .unwrap();
            assert_eq!(ours.dims(), reference.dims());
            assert!(max_diff(&ours, &reference) < 1e-5);

            // A loss that weights every output differently.
            let mix = Tensor::from_vec(
                values(ours.elem_count(), 300 + i as u64),
                ours.shape(),
                &dev,
            )
            .unwrap();
            let g_ours = (ours * &mix)
                .unwrap()
                .sum_all()
                .unwrap()
                .backward()
                .unwrap();
            let g_ref = (reference * &mix)
                .unwrap()
                .sum_all()
                .unwrap()
                .backward()
                .unwrap();
            for v in [&x, &wt, &bias] {
                let (a, r) = (
                    g_ours.get(v.as_tensor()).unwrap(),
                    g_ref.get(v.as_tensor()).unwrap(),
                );
                assert!(
                    max_diff(a, r) < 1e-4,
                    "case {i}: gradient differs by {}",
                    max_diff(a, r)
                );
            }
        }
    }

    #[test]
    fn constant_input_gets_no_gradient_work() {
        let dev = Device::Cpu;
        let x = Tensor::from_vec(values(2 * 3 * 3, 1), (2, 1, 3, 3), &dev).unwrap();
        let wt = Var::from_vec(values(4 * 9, 2), (4, 1, 3, 3), &dev).unwrap();
        let conv = Conv::new(wt.as_tensor().clone(), None, 1, 1).unwrap();
        let grads = conv
            .forward(&x)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        assert!(grads.get(&x).is_none());
        assert!(grads.get(wt.as_tensor()).is_some());
    }

    /// For a linear map `L` (conv without bias), the input gradient of `⟨L(x), m⟩` is `Lᵀm`, so
    /// `⟨L(d), m⟩ = ⟨d, grad⟩` for any `d`. Independent of candle's conv backward.
    #[test]
    fn input_gradient_is_the_adjoint() {
        let dev = Device::Cpu;
        for (i, &(b, c, h, w, co, k, s, p)) in [
            (3, 2, 7, 6, 4, 3, 2, 1),
            (2, 3, 5, 8, 2, 1, 2, 0),
            (1, 2, 6, 5, 3, 3, 1, 1),
        ]
        .iter()
        .enumerate()
        {
            let x = Var::from_vec(values(b * c * h * w, i as u64), (b, c, h, w), &dev).unwrap();
            let wt = Tensor::from_vec(values(co * c * k * k, 10 + i as u64), (co, c, k, k), &dev)
                .unwrap();
            let conv = Conv::new(wt, None, s, p).unwrap();
            let y = conv.forward(x.as_tensor()).unwrap();
            let m =
                Tensor::from_vec(values(y.elem_count(), 20 + i as u64), y.shape(), &dev).unwrap();
            let grads = (y * &m).unwrap().sum_all().unwrap().backward().unwrap();
            let grad = grads.get(x.as_tensor()).unwrap();
            assert_eq!(grad.dims(), [b, c, h, w]);
            let d =
                Tensor::from_vec(values(b * c * h * w, 30 + i as u64), (b, c, h, w), &dev).unwrap();
            let lhs: f32 = (conv.forward(&d).unwrap() * &m)
                .unwrap()
                .sum_all()
                .unwrap()
                .to_scalar()
                .unwrap();
            let rhs: f32 = (d * grad).unwrap().sum_all().unwrap().to_scalar().unwrap();
            assert!(
                (lhs - rhs).abs() < 1e-4 * lhs.abs().max(1.0),
                "case {i}: {lhs} vs {rhs}"
            );
        }
    }
}
