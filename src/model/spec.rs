//! Architectures a preset can name.

use serde::{Deserialize, Serialize};

/// An image classifier architecture, as written in a preset's `arch:` key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelSpec {
    /// Multi-layer perceptron on the flattened image: `hidden` widths with ReLU, then a linear classifier.
    Mlp { hidden: Vec<usize> },
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
    },
    /// CIFAR ResNet of depth 6n+2 (He et al. 2016, §4.2): three groups of n basic blocks with
    /// 16/32/64 channels, global average pool, linear classifier.
    ResnetCifar { depth: usize },
}

fn default_pool_every() -> usize {
    2
}
