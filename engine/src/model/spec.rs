//! Architectures a preset can name.

use serde::{Deserialize, Serialize};

/// An image classifier architecture, as written in a preset's `arch:` key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelSpec {
    /// Multi-layer perceptron on the flattened image: `hidden` widths with ReLU, then a linear classifier.
    /// `dropout` (probability of zeroing a unit, in `[0, 1)`) after every hidden layer in training
    /// mode (Srivastava et al. 2014; inverted: kept units scaled by `1/(1−p)`), off in eval mode.
    Mlp {
        hidden: Vec<usize>,
        #[serde(default, skip_serializing_if = "is_zero")]
        dropout: f64,
    },
    /// TAKD-style plain CNN (Mirzadeh et al. 2020): 3×3 convolutions (padding 1) with `channels`,
    /// each followed by optional batch norm and ReLU; a 2×2 max-pool after every `pool_every`
    /// convolutions; then flatten, `hidden` linear layers with ReLU, and a linear classifier.
    PlainCnn {
        channels: Vec<usize>,
        #[serde(default = "default_pool_every")]
        pool_every: usize,
        #[serde(default)]
        batch_norm: bool,
        #[serde(default)]
        hidden: Vec<usize>,
        /// Dropout after every hidden linear layer (the fully connected part), as for `mlp`.
        #[serde(default, skip_serializing_if = "is_zero")]
        dropout: f64,
    },
    /// CIFAR ResNet of depth 6n+2 (He et al. 2016, §4.2): three groups of n basic blocks with
    /// 16/32/64 channels, global average pool, linear classifier.
    ResnetCifar { depth: usize },
}

/// Left out of saved presets when 0, so control-cache keys of presets without dropout do not change.
fn is_zero(p: &f64) -> bool {
    *p == 0.0
}

impl ModelSpec {
    /// The dropout probability of the hidden linear layers (0 for none and for ResNets).
    pub fn dropout(&self) -> f64 {
        match self {
            ModelSpec::Mlp { dropout, .. } | ModelSpec::PlainCnn { dropout, .. } => *dropout,
            ModelSpec::ResnetCifar { .. } => 0.0,
        }
    }
}

fn default_pool_every() -> usize {
    2
}
