//! Parameter and multiply-accumulate counts, by formula from the spec.
//!
//! Conventions (as in `thop` / `ptflops`): MACs count the multiply-adds of convolutions and linear
//! layers only — biases, batch norm, ReLU, pooling and residual additions are not counted.
//! A `k×k` convolution from `c_in` to `c_out` channels producing an `h×w` map costs
//! `h·w·c_out·c_in·k²` MACs; a linear layer `n_in → n_out` costs `n_in·n_out`.

use super::ModelSpec;
use crate::data::ImageShape;

/// Cost of one layer, per image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Cost {
    params: u64,
    macs: u64,
}

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            params: self.params + o.params,
            macs: self.macs + o.macs,
        }
    }
}

fn linear(n_in: usize, n_out: usize) -> Cost {
    let (i, o) = (n_in as u64, n_out as u64);
    Cost {
        params: i * o + o,
        macs: i * o,
    }
}

/// `k×k` conv producing an `out_hw.0 × out_hw.1` map; `bias` adds `c_out` parameters.
fn conv(c_in: usize, c_out: usize, k: usize, out_hw: (usize, usize), bias: bool) -> Cost {
    let (i, o, k2) = (c_in as u64, c_out as u64, (k * k) as u64);
    Cost {
        params: i * o * k2 + if bias { o } else { 0 },
        macs: (out_hw.0 * out_hw.1) as u64 * o * i * k2,
    }
}

/// Batch norm over `c` channels: a weight and a bias per channel (running stats are not trainable).
fn batch_norm(c: usize) -> Cost {
    Cost {
        params: 2 * c as u64,
        macs: 0,
    }
}

/// Output side of a 3×3 pad-1 or 1×1 pad-0 convolution with `stride`: `⌊(n − 1)/stride⌋ + 1`.
pub(crate) fn strided(n: usize, stride: usize) -> usize {
    (n - 1) / stride + 1
}

fn total(spec: &ModelSpec, input: ImageShape, num_classes: usize) -> Cost {
    match spec {
        ModelSpec::Mlp { hidden, .. } => mlp(input.numel(), hidden, num_classes),
        ModelSpec::PlainCnn {
            channels,
            pool_every,
            batch_norm: bn,
            hidden,
            ..
        } => {
            let mut cost = Cost::default();
            let (mut c, mut h, mut w) = (input.channels, input.height, input.width);
            for (i, &c_out) in channels.iter().enumerate() {
                cost = cost + conv(c, c_out, 3, (h, w), !bn);
                if *bn {
                    cost = cost + batch_norm(c_out);
                }
                c = c_out;
                if (i + 1) % (*pool_every).max(1) == 0 {
                    h /= 2;
                    w /= 2;
                }
            }
            cost + mlp(c * h * w, hidden, num_classes)
        }
        ModelSpec::ResnetCifar { depth } => {
            let n = depth.saturating_sub(2) / 6;
            let (mut h, mut w) = (input.height, input.width);
            let mut cost = conv(input.channels, 16, 3, (h, w), false) + batch_norm(16);
            let mut c = 16;
            for (stage, &c_out) in [16usize, 32, 64].iter().enumerate() {
                for block in 0..n {
                    let stride = if stage > 0 && block == 0 { 2 } else { 1 };
                    h = strided(h, stride);
                    w = strided(w, stride);
                    cost = cost
                        + conv(c, c_out, 3, (h, w), false)
                        + batch_norm(c_out)
                        + conv(c_out, c_out, 3, (h, w), false)
                        + batch_norm(c_out);
                    if stride != 1 || c != c_out {
                        cost = cost + conv(c, c_out, 1, (h, w), false) + batch_norm(c_out);
                    }
                    c = c_out;
                }
            }
            cost + linear(c, num_classes)
        }
    }
}

fn mlp(n_in: usize, hidden: &[usize], num_classes: usize) -> Cost {
    let mut cost = Cost::default();
    let mut n = n_in;
    for &h in hidden {
        cost = cost + linear(n, h);
        n = h;
    }
    cost + linear(n, num_classes)
}

impl ModelSpec {
    /// Trainable parameters (weights, biases, batch-norm scales and shifts; not running stats) of the
    /// model built for `input` images and `num_classes` classes. Equals the element count of
    /// [`Classifier::trainable_vars`](super::Classifier::trainable_vars). Meaningful only for a spec
    /// that passes [`validate`](Self::validate).
    pub fn param_count(&self, input: ImageShape, num_classes: usize) -> u64 {
        total(self, input, num_classes).params
    }

    /// Multiply-accumulates of one forward pass of one image (conv and linear layers only; see the
    /// module docs for the convention).
    pub fn macs(&self, input: ImageShape, num_classes: usize) -> u64 {
        total(self, input, num_classes).macs
    }
}
