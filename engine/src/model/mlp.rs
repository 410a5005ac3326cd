//! Multi-layer perceptron on the flattened image.

use candle_core::{Result, Tensor};
use candle_nn::{Linear, Module};

use super::backend::Backend;
use super::dropout::Dropout;
use super::init::ParamBuilder;
use super::mlp_tape::{self, MlpTape};
use super::relu::relu;

/// `flatten → (Linear → ReLU)* → Linear`. Variables: `fc{i}.weight/bias` for the hidden layers,
/// `head.weight/bias` for the classifier.
#[derive(Debug, Clone)]
pub(crate) struct Mlp {
    hidden: Vec<Linear>,
    dropout: Dropout,
    head: Linear,
}

impl Mlp {
    pub fn new(
        pb: &mut ParamBuilder,
        n_in: usize,
        widths: &[usize],
        dropout: f64,
        num_classes: usize,
    ) -> Result<Self> {
        let (hidden, n) = hidden_layers(pb, n_in, widths)?;
        let head = pb.linear("head", n, num_classes)?;
        Ok(Mlp {
            hidden,
            dropout: Dropout::new(dropout),
            head,
        })
    }

    /// `x [B, C, H, W]` (or any `[B, …]`) → logits `[B, num_classes]`; `train` turns dropout on.
    /// An eval pass on the CPU runs the kernels of [`mlp_tape`] and records no graph (nothing
    /// takes gradients through an eval pass; training goes through [`Self::forward_taped`]).
    pub fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        if !train && self.taped(x, false) {
            return Ok(mlp_tape::forward(&self.layers(), x, false)?.0);
        }
        let x = x.flatten_from(1)?;
        let x = forward_hidden(&self.hidden, &x, &self.dropout, train)?;
        self.head.forward(&x)
    }

    pub fn dropout(&self) -> &Dropout {
        &self.dropout
    }

    /// A training-mode forward pass of `x` with the tape for [`MlpTape::backward`], or `None` where
    /// the graph path runs instead (another device than the CPU, or dropout on).
    pub fn forward_taped(&self, x: &Tensor) -> Result<Option<(Tensor, MlpTape)>> {
        if !self.taped(x, true) {
            return Ok(None);
        }
        let (logits, tape) = mlp_tape::forward(&self.layers(), x, true)?;
        Ok(tape.map(|t| (logits, t)))
    }

    /// True when the CPU kernels run this pass: f32 on the CPU, and no dropout mask to draw.
    fn taped(&self, x: &Tensor, train: bool) -> bool {
        Backend::of(x) == Backend::CpuKernels && (!train || self.dropout.p() == 0.0)
    }

    /// Every layer, input layer first, the head last.
    fn layers(&self) -> Vec<Linear> {
        let mut v = self.hidden.clone();
        v.push(self.head.clone());
        v
    }
}

/// Hidden `Linear` layers `fc0, fc1, …` from `n_in` through `widths`; returns them and the last width.
pub(crate) fn hidden_layers(
    pb: &mut ParamBuilder,
    n_in: usize,
    widths: &[usize],
) -> Result<(Vec<Linear>, usize)> {
    let mut layers = Vec::with_capacity(widths.len());
    let mut n = n_in;
    for (i, &w) in widths.iter().enumerate() {
        layers.push(pb.linear(&format!("fc{i}"), n, w)?);
        n = w;
    }
    Ok((layers, n))
}

/// `(Linear → ReLU → dropout)*` on `x [B, n]` (dropout only when `train`).
pub(crate) fn forward_hidden(
    layers: &[Linear],
    x: &Tensor,
    dropout: &Dropout,
    train: bool,
) -> Result<Tensor> {
    let mut x = x.clone();
    for layer in layers {
        x = dropout.forward_t(&relu(&layer.forward(&x)?)?, train)?;
    }
    Ok(x)
}
