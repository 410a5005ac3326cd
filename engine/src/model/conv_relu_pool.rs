//! A convolution, ReLU and 2×2 max-pool as one graph node on the CPU (the plain CNN's unit without
//! batch norm).
//!
//! As three nodes, candle's backward pass gives the convolution's full-size output its own
//! gradient: a zero-filled tensor plus an added copy of the pool's gradient (12.8 MB per batch for
//! the `cnn` bench case's first layer), and the output itself stays alive for the pool's backward.
//! As one node the pool's gradient goes straight to the convolution's backward; only the winners
//! of the pool (a byte per window) are kept. The kernels are the same ([`Conv2dOp`], [`MaxPool2`],
//! [`RouteToWinners`]), so are the numbers.

use std::sync::{Arc, Mutex};

use candle_core::{CpuStorage, CustomOp1, CustomOp3, Layout, Result, Shape, Tensor};

use super::conv_op::Conv2dOp;
use super::im2col::ConvGeom;
use super::max_pool::{MaxPool2, RouteToWinners};

/// `(x [B, C, H, W], w [C_out, C, k, k], bias [C_out])` → `max_pool2x2(relu(conv(x)))`.
#[derive(Debug, Clone)]
pub(crate) struct ConvReluPool {
    geom: ConvGeom,
    winners: Arc<Mutex<Vec<u8>>>,
}

impl ConvReluPool {
    pub fn new(geom: ConvGeom) -> ConvReluPool {
        ConvReluPool {
            geom,
            winners: Default::default(),
        }
    }
}

impl CustomOp3 for ConvReluPool {
    fn name(&self) -> &'static str {
        "conv2d_relu_max_pool2x2"
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
        let (y, shape) = Conv2dOp(self.geom).cpu_fwd(s1, l1, s2, l2, s3, l3)?;
        let pool = MaxPool2 {
            relu: true,
            winners: Some(self.winners.clone()),
        };
        pool.cpu_fwd(&y, &Layout::contiguous(shape))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        bias: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let g = self.geom;
        // Copied, not taken: a second backward pass over the same graph finds them too.
        let winners = self.winners.lock().expect("winners lock poisoned").clone();
        if winners.len() != grad.elem_count() {
            candle_core::bail!("conv2d_relu_max_pool2x2: no winners kept for this gradient");
        }
        let route = RouteToWinners {
            winners,
            shape: (g.b, g.c_out, g.out_h(), g.out_w()),
        };
        let dy = grad.contiguous()?.apply_op1_no_bwd(&route)?;
        Conv2dOp(g).bwd(x, w, bias, res, &dy)
    }
}

#[cfg(test)]
mod tests {
    use candle_core::{Device, Tensor, Var};

    use crate::model::cpu_slice::test_support::values;
    use crate::model::init::ParamBuilder;
    use crate::model::max_pool::relu_max_pool2x2;

    /// The fused node equals the three ops in a row: output and every gradient, bit for bit.
    #[test]
    fn equals_conv_then_relu_pool() {
        let dev = Device::Cpu;
        for (b, c, h, w, c_out) in [(3, 1, 8, 8, 4), (2, 3, 7, 9, 5), (4, 8, 14, 14, 16)] {
            let mut pb = ParamBuilder::new(&dev);
            let conv = pb.conv2d("conv", c, c_out, 3, 1, 1, true).unwrap();
            pb.finish(7).unwrap();
            let x = Var::from_vec(values(b * c * h * w, 3, -1.0, 2.0), (b, c, h, w), &dev).unwrap();
            let fused = conv.forward_relu_pool(x.as_tensor(), true).unwrap();
            let three = relu_max_pool2x2(&conv.forward(x.as_tensor()).unwrap(), true).unwrap();
            let flat = |t: &Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
            assert_eq!(flat(&fused), flat(&three));
            let mix = Tensor::from_vec(
                values(fused.elem_count(), 9, -1.0, 2.0),
                fused.shape(),
                &dev,
            )
            .unwrap();
            let grads = |y: &Tensor| (y * &mix).unwrap().sum_all().unwrap().backward().unwrap();
            let (a, r) = (grads(&fused), grads(&three));
            let mut checked = 0;
            for t in [x.as_tensor(), conv.weight(), conv.bias().unwrap()] {
                assert_eq!(flat(a.get(t).unwrap()), flat(r.get(t).unwrap()));
                checked += 1;
            }
            assert_eq!(checked, 3);
        }
    }
}
