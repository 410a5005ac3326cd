//! CIFAR ResNet of depth 6n+2 (He et al. 2016, "Deep Residual Learning for Image Recognition", §4.2),
//! with projection shortcuts (option B) as in RepDistiller's `resnet8 … resnet110`.

use candle_core::{Result, Tensor};
use candle_nn::{Linear, Module};

use super::batch_norm::BatchNorm2d;
use super::conv::Conv;
use super::init::ParamBuilder;
use super::relu::relu;

/// `conv → BN`, the unit every part of the network is made of.
#[derive(Debug, Clone)]
struct ConvBn {
    conv: Conv,
    bn: BatchNorm2d,
}

impl ConvBn {
    #[allow(clippy::too_many_arguments)]
    fn new(
        pb: &mut ParamBuilder,
        conv_name: &str,
        bn_name: &str,
        c_in: usize,
        c_out: usize,
        k: usize,
        stride: usize,
    ) -> Result<Self> {
        Ok(ConvBn {
            conv: pb.conv2d(conv_name, c_in, c_out, k, stride, k / 2, false)?,
            bn: pb.batch_norm(bn_name, c_out)?,
        })
    }

    fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        self.bn.forward_t(&self.conv.forward(x)?, train)
    }
}

/// `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`, conv 3×3; the shortcut is the identity, or a
/// 1×1 conv + BN when the stride or the channel count changes.
#[derive(Debug, Clone)]
struct BasicBlock {
    a: ConvBn,
    b: ConvBn,
    shortcut: Option<ConvBn>,
}

impl BasicBlock {
    fn new(
        pb: &mut ParamBuilder,
        name: &str,
        c_in: usize,
        c_out: usize,
        stride: usize,
    ) -> Result<Self> {
        let a = ConvBn::new(
            pb,
            &format!("{name}.conv1"),
            &format!("{name}.bn1"),
            c_in,
            c_out,
            3,
            stride,
        )?;
        let b = ConvBn::new(
            pb,
            &format!("{name}.conv2"),
            &format!("{name}.bn2"),
            c_out,
            c_out,
            3,
            1,
        )?;
        let shortcut = if stride != 1 || c_in != c_out {
            Some(ConvBn::new(
                pb,
                &format!("{name}.downsample.0"),
                &format!("{name}.downsample.1"),
                c_in,
                c_out,
                1,
                stride,
            )?)
        } else {
            None
        };
        Ok(BasicBlock { a, b, shortcut })
    }

    fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let y = relu(&self.a.forward_t(x, train)?)?;
        let y = self.b.forward_t(&y, train)?;
        let s = match &self.shortcut {
            Some(sc) => sc.forward_t(x, train)?,
            None => x.clone(),
        };
        relu(&(y + s)?)
    }
}

/// `conv3×3(16) → BN → ReLU → 3 stages × n BasicBlocks (16, 32, 64 channels; stride 2 entering
/// stages 2 and 3) → global average pool → Linear`.
///
/// Variables follow the PyTorch (RepDistiller) names: `conv1`, `bn1`, `layer{s}.{b}.conv1/bn1/conv2/bn2`,
/// `layer{s}.{b}.downsample.0/1`, `fc`.
#[derive(Debug, Clone)]
pub(crate) struct ResnetCifar {
    stem: ConvBn,
    blocks: Vec<BasicBlock>,
    fc: Linear,
}

impl ResnetCifar {
    pub fn new(
        pb: &mut ParamBuilder,
        c_in: usize,
        depth: usize,
        num_classes: usize,
    ) -> Result<Self> {
        let n = (depth - 2) / 6;
        let stem = ConvBn::new(pb, "conv1", "bn1", c_in, 16, 3, 1)?;
        let mut blocks = Vec::with_capacity(3 * n);
        let mut c = 16;
        for (stage, c_out) in [16usize, 32, 64].into_iter().enumerate() {
            for b in 0..n {
                let stride = if stage > 0 && b == 0 { 2 } else { 1 };
                let name = format!("layer{}.{b}", stage + 1);
                blocks.push(BasicBlock::new(pb, &name, c, c_out, stride)?);
                c = c_out;
            }
        }
        let fc = pb.linear("fc", c, num_classes)?;
        Ok(ResnetCifar { stem, blocks, fc })
    }

    /// `x [B, C, H, W]` → logits `[B, num_classes]`.
    pub fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let mut x = relu(&self.stem.forward_t(x, train)?)?;
        for block in &self.blocks {
            x = block.forward_t(&x, train)?;
        }
        let x = x.mean((2, 3))?; // global average pool: [B, 64]
        self.fc.forward(&x)
    }
}
