//! Checks that a spec can be built for an input shape.

use super::ModelSpec;
use crate::data::ImageShape;

impl ModelSpec {
    /// `Ok` when the architecture can be built for images of shape `input`; otherwise a sentence
    /// saying which field is wrong and what was expected.
    ///
    /// Rules: no zero-sized input or width; a plain CNN needs at least one conv layer, `pool_every ≥ 1`,
    /// and its 2×2 max-pools (floor division) must leave at least 1×1; a CIFAR ResNet's depth must be
    /// 6n+2 with n ≥ 1 (He et al. 2016, §4.2). An MLP with no hidden layer is a linear classifier.
    pub fn validate(&self, input: ImageShape) -> Result<(), String> {
        if input.channels == 0 || input.height == 0 || input.width == 0 {
            return Err(format!(
                "input shape {}×{}×{} has a zero dimension",
                input.channels, input.height, input.width
            ));
        }
        let p = self.dropout();
        if !(0.0..1.0).contains(&p) {
            return Err(format!(
                "dropout {p}: expected a probability in [0, 1) of zeroing a hidden unit"
            ));
        }
        let no_hidden = matches!(self,
            ModelSpec::Mlp { hidden, .. } | ModelSpec::PlainCnn { hidden, .. } if hidden.is_empty());
        if p > 0.0 && no_hidden {
            return Err(format!(
                "dropout {p} acts on hidden linear layers and this model has none: add `hidden` widths or remove dropout"
            ));
        }
        match self {
            ModelSpec::Mlp { hidden, .. } => check_widths("mlp hidden", hidden),
            ModelSpec::PlainCnn {
                channels,
                pool_every,
                hidden,
                ..
            } => {
                if channels.is_empty() {
                    return Err(
                        "plain_cnn channels is empty: expected at least one conv layer".into(),
                    );
                }
                check_widths("plain_cnn channels", channels)?;
                check_widths("plain_cnn hidden", hidden)?;
                if *pool_every == 0 {
                    return Err("plain_cnn pool_every is 0: expected at least 1 (a 2×2 max-pool after every pool_every-th conv)".into());
                }
                let (mut h, mut w) = (input.height, input.width);
                for i in 1..=channels.len() {
                    if i % pool_every == 0 {
                        if h < 2 || w < 2 {
                            return Err(format!(
                                "plain_cnn: the max-pool after conv {i} would shrink the {h}×{w} feature map below 1×1 \
                                 (input {}×{}); use fewer convs, a larger pool_every, or larger images",
                                input.height, input.width
                            ));
                        }
                        h /= 2;
                        w /= 2;
                    }
                }
                Ok(())
            }
            ModelSpec::ResnetCifar { depth } => {
                if *depth < 8 || (depth - 2) % 6 != 0 {
                    return Err(format!(
                        "resnet_cifar depth {depth}: the depth must be 6n+2 with n ≥ 1 (8, 14, 20, 32, 44, 56, 110, …)"
                    ));
                }
                Ok(())
            }
        }
    }
}

fn check_widths(field: &str, widths: &[usize]) -> Result<(), String> {
    match widths.iter().position(|&w| w == 0) {
        Some(i) => Err(format!("{field}[{i}] is 0: every width must be at least 1")),
        None => Ok(()),
    }
}
