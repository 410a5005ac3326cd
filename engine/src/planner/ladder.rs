//! Ladders: the ordered candidate architectures a planner picks assistants from.

use serde::{Deserialize, Serialize};

use crate::data::ImageShape;
use crate::model::ModelSpec;

/// A ladder as written in a preset (`planner.ladder`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LadderSpec {
    /// One-hidden-layer MLPs: the `widths` listed, and/or a geometric series of `steps` widths from
    /// `geometric.from` to `geometric.to` (both included, rounded to integers).
    Mlp {
        #[serde(default)]
        widths: Vec<usize>,
        #[serde(default)]
        geometric: Option<Geometric>,
    },
    /// TAKD's plain CNN family (Mirzadeh et al. 2020, §4): depth `d` has the first `d` of the
    /// channels 16,16,32,32,64,64,128,128,256,256, batch norm, a 2×2 max-pool after every second
    /// convolution and a linear classifier. Depths whose pools do not fit the input are left out
    /// (28×28 images fit depths up to 8).
    PlainCnn {
        #[serde(default = "default_cnn_depths")]
        depths: Vec<usize>,
    },
    /// CIFAR ResNets (He et al. 2016, §4.2) of depths 6n+2.
    ResnetCifar {
        #[serde(default = "default_resnet_depths")]
        depths: Vec<usize>,
    },
    /// Any architectures, listed.
    Archs { archs: Vec<ModelSpec> },
}

/// `steps` values from `from` to `to` at a constant ratio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Geometric {
    pub from: usize,
    pub to: usize,
    pub steps: usize,
}

fn default_cnn_depths() -> Vec<usize> {
    vec![2, 4, 6, 8, 10]
}
fn default_resnet_depths() -> Vec<usize> {
    vec![8, 14, 20, 26, 32, 44, 56, 110]
}

/// Channels of TAKD's plain CNNs, in order; depth `d` uses the first `d`.
const TAKD_CHANNELS: [usize; 10] = [16, 16, 32, 32, 64, 64, 128, 128, 256, 256];

/// One candidate architecture of a ladder.
#[derive(Debug, Clone, PartialEq)]
pub struct Rung {
    pub spec: ModelSpec,
    /// Short label, e.g. `mlp-128`.
    pub label: String,
    /// Trainable parameters for the run's input shape and classes.
    pub params: u64,
}

impl Geometric {
    /// The widths, `from` first: `round(from · (to/from)^(i/(steps−1)))`, duplicates removed.
    pub fn values(&self) -> Vec<usize> {
        if self.steps <= 1 {
            return vec![self.from];
        }
        let ratio = self.to as f64 / self.from as f64;
        let mut out: Vec<usize> = (0..self.steps)
            .map(|i| {
                (self.from as f64 * ratio.powf(i as f64 / (self.steps - 1) as f64)).round() as usize
            })
            .collect();
        out.dedup();
        out
    }
}

impl LadderSpec {
    /// The architectures the spec names, in the order written.
    pub fn specs(&self) -> Vec<ModelSpec> {
        match self {
            LadderSpec::Mlp { widths, geometric } => widths
                .iter()
                .copied()
                .chain(geometric.iter().flat_map(Geometric::values))
                .map(|w| ModelSpec::Mlp {
                    hidden: vec![w],
                    dropout: 0.0,
                })
                .collect(),
            LadderSpec::PlainCnn { depths } => depths
                .iter()
                .map(|&d| ModelSpec::PlainCnn {
                    channels: TAKD_CHANNELS[..d.min(TAKD_CHANNELS.len())].to_vec(),
                    pool_every: 2,
                    batch_norm: true,
                    hidden: vec![],
                    dropout: 0.0,
                })
                .collect(),
            LadderSpec::ResnetCifar { depths } => depths
                .iter()
                .map(|&depth| ModelSpec::ResnetCifar { depth })
                .collect(),
            LadderSpec::Archs { archs } => archs.clone(),
        }
    }

    /// `Err` with what was expected when the spec names no architecture or an impossible one.
    pub fn check(&self) -> Result<(), String> {
        match self {
            LadderSpec::Mlp { widths, geometric } => {
                if widths.contains(&0) {
                    return Err("mlp widths must be ≥ 1".into());
                }
                if let Some(g) = geometric {
                    if g.from == 0 || g.to == 0 || g.steps == 0 {
                        return Err(
                            "geometric: expected from ≥ 1, to ≥ 1 and steps ≥ 1".to_string()
                        );
                    }
                }
            }
            LadderSpec::PlainCnn { depths } => {
                if let Some(d) = depths.iter().find(|&&d| !(1..=10).contains(&d)) {
                    return Err(format!(
                        "plain_cnn depths must be in 1..=10 (TAKD's family), got {d}"
                    ));
                }
            }
            LadderSpec::ResnetCifar { depths } => {
                if let Some(d) = depths.iter().find(|&&d| d < 8 || (d - 2) % 6 != 0) {
                    return Err(format!(
                        "resnet_cifar depths must be 6n+2 with n ≥ 1 (8, 14, 20, …), got {d}"
                    ));
                }
            }
            LadderSpec::Archs { .. } => {}
        }
        if self.specs().is_empty() {
            return Err("the ladder names no architecture".into());
        }
        Ok(())
    }
}

/// Candidate architectures ordered by parameter count, largest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Ladder {
    pub rungs: Vec<Rung>,
    /// Architectures left out because they cannot be built for the input, with why.
    pub skipped: Vec<(String, String)>,
}

impl Ladder {
    /// The ladder of `spec` for `input` images and `num_classes` classes: duplicates (same label)
    /// removed, architectures that cannot be built for the input skipped, largest first (ties by label).
    pub fn build(spec: &LadderSpec, input: ImageShape, num_classes: usize) -> Ladder {
        let mut rungs: Vec<Rung> = Vec::new();
        let mut skipped = Vec::new();
        for s in spec.specs() {
            let label = s.label();
            if let Err(why) = s.validate(input) {
                skipped.push((label, why));
                continue;
            }
            if rungs.iter().any(|r| r.label == label) {
                continue;
            }
            rungs.push(Rung {
                params: s.param_count(input, num_classes),
                spec: s,
                label,
            });
        }
        rungs.sort_by(|a, b| b.params.cmp(&a.params).then(a.label.cmp(&b.label)));
        Ladder { rungs, skipped }
    }

    /// Indices of the rungs with strictly fewer parameters than `above` and strictly more than `below`.
    pub fn between(&self, above: u64, below: u64) -> Vec<usize> {
        (0..self.rungs.len())
            .filter(|&i| self.rungs[i].params < above && self.rungs[i].params > below)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MNIST: ImageShape = ImageShape {
        channels: 1,
        height: 28,
        width: 28,
    };

    #[test]
    fn geometric_series_includes_both_ends() {
        let g = Geometric {
            from: 256,
            to: 32,
            steps: 4,
        };
        assert_eq!(g.values(), vec![256, 128, 64, 32]);
    }

    #[test]
    fn mlp_ladder_is_sorted_largest_first_with_param_counts() {
        let spec = LadderSpec::Mlp {
            widths: vec![32, 128],
            geometric: Some(Geometric {
                from: 64,
                to: 64,
                steps: 1,
            }),
        };
        let l = Ladder::build(&spec, MNIST, 10);
        let labels: Vec<_> = l.rungs.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["mlp-128", "mlp-64", "mlp-32"]);
        // 784·128 + 128 + 128·10 + 10
        assert_eq!(l.rungs[0].params, 101_770);
        assert_eq!(l.between(101_770, 0), vec![1, 2]);
    }

    #[test]
    fn plain_cnn_depth_10_does_not_fit_28_pixels() {
        let l = Ladder::build(
            &LadderSpec::PlainCnn {
                depths: default_cnn_depths(),
            },
            MNIST,
            10,
        );
        assert_eq!(l.rungs.len(), 4);
        assert_eq!(l.skipped.len(), 1);
        assert!(l.rungs.windows(2).all(|w| w[0].params > w[1].params));
    }

    #[test]
    fn resnet_depths_must_be_6n_plus_2() {
        assert!(LadderSpec::ResnetCifar {
            depths: vec![8, 20]
        }
        .check()
        .is_ok());
        assert!(LadderSpec::ResnetCifar { depths: vec![10] }
            .check()
            .is_err());
        let cifar = ImageShape {
            channels: 3,
            height: 32,
            width: 32,
        };
        let l = Ladder::build(
            &LadderSpec::ResnetCifar {
                depths: default_resnet_depths(),
            },
            cifar,
            10,
        );
        assert_eq!(l.rungs.first().unwrap().label, "resnet110");
        assert_eq!(l.rungs.last().unwrap().label, "resnet8");
    }
}
