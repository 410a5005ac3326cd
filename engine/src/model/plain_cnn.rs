//! TAKD-style plain CNN (Mirzadeh et al. 2020).

use candle_core::{Result, Tensor};
use candle_nn::{Linear, Module};

use super::batch_norm::BatchNorm2d;
use super::conv::Conv;
use super::dropout::Dropout;
use super::init::ParamBuilder;
use super::max_pool::relu_max_pool2x2;
use super::mlp::{forward_hidden, hidden_layers};
use super::relu::relu;
use super::ModelSpec;
use crate::data::ImageShape;

/// One 3×3 pad-1 convolution, optional batch norm, ReLU, and an optional 2×2 max-pool
/// (kernel == stride: the only max-pool whose backward candle supports).
#[derive(Debug, Clone)]
struct ConvUnit {
    conv: Conv,
    bn: Option<BatchNorm2d>,
    pool: bool,
}

/// `(conv3×3 → [BN] → ReLU → [maxpool 2])* → flatten → (Linear → ReLU)* → Linear`.
/// Variables: `conv{i}.weight` (and `conv{i}.bias` without batch norm), `bn{i}.*`, `fc{i}.*`, `head.*`.
#[derive(Debug, Clone)]
pub(crate) struct PlainCnn {
    convs: Vec<ConvUnit>,
    hidden: Vec<Linear>,
    dropout: Dropout,
    head: Linear,
}

impl PlainCnn {
    /// The layers of `spec` (a [`ModelSpec::PlainCnn`]) for `input` images.
    pub fn new(
        pb: &mut ParamBuilder,
        input: ImageShape,
        spec: &ModelSpec,
        num_classes: usize,
    ) -> Result<Self> {
        let ModelSpec::PlainCnn {
            channels,
            pool_every,
            batch_norm,
            hidden: widths,
            dropout,
        } = spec
        else {
            candle_core::bail!("PlainCnn::new: {} is not a plain CNN", spec.label());
        };
        let (pool_every, batch_norm, dropout) = (*pool_every, *batch_norm, *dropout);
        let (mut c, mut h, mut w) = (input.channels, input.height, input.width);
        let mut convs = Vec::with_capacity(channels.len());
        for (i, &c_out) in channels.iter().enumerate() {
            let conv = pb.conv2d(&format!("conv{i}"), c, c_out, 3, 1, 1, !batch_norm)?;
            let bn = if batch_norm {
                Some(pb.batch_norm(&format!("bn{i}"), c_out)?)
            } else {
                None
            };
            let pool = (i + 1) % pool_every == 0;
            if pool {
                h /= 2;
                w /= 2;
            }
            convs.push(ConvUnit { conv, bn, pool });
            c = c_out;
        }
        let (hidden, n) = hidden_layers(pb, c * h * w, widths)?;
        let head = pb.linear("head", n, num_classes)?;
        Ok(PlainCnn {
            convs,
            hidden,
            dropout: Dropout::new(dropout),
            head,
        })
    }

    pub fn dropout(&self) -> &Dropout {
        &self.dropout
    }

    /// `x [B, C, H, W]` → logits `[B, num_classes]`; `train` selects batch statistics in batch norm.
    pub fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let mut x = x.clone();
        for unit in &self.convs {
            if unit.pool && unit.bn.is_none() {
                x = unit.conv.forward_relu_pool(&x, train)?;
                continue;
            }
            x = unit.conv.forward(&x)?;
            if let Some(bn) = &unit.bn {
                x = bn.forward_t(&x, train)?;
            }
            x = if unit.pool {
                relu_max_pool2x2(&x, train)?
            } else {
                relu(&x)?
            };
        }
        let x = forward_hidden(&self.hidden, &x.flatten_from(1)?, &self.dropout, train)?;
        self.head.forward(&x)
    }
}
