//! What one benchmark case trains: a model, its input, its optimizer, and optionally a teacher.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::data::ImageShape;
use crate::model::ModelSpec;
use crate::preset::OptimizerConfig;

/// The teacher side of a KD-step case: evaluated without gradients (eval mode) every batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KdSpec {
    /// The teacher's architecture.
    pub teacher: ModelSpec,
    /// Temperature `T` of the soft targets.
    pub temperature: f64,
    /// Weight of the soft term.
    pub alpha: f64,
    /// The teacher's logits come from a [`LogitCache`](crate::train::LogitCache) filled before the
    /// timing starts, instead of a forward pass every batch.
    #[serde(default)]
    pub cached: bool,
}

/// One model to measure. Serialised to JSON for `pytorch_reference.py --cases FILE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchCase {
    /// `mlp`, `cnn`, `kd`, or `<preset>/<model>`.
    pub name: String,
    /// The trained model (the student of a KD case).
    pub model: ModelSpec,
    /// Shape of one input image.
    pub input: ImageShape,
    /// Classes of the classifier head.
    pub classes: usize,
    /// Images per batch.
    pub batch: usize,
    /// The optimizer of the trained model.
    pub optimizer: OptimizerConfig,
    /// Set for a KD step: the student's loss is the KD loss against this teacher.
    pub kd: Option<KdSpec>,
}

const MNIST: ImageShape = ImageShape {
    channels: 1,
    height: 28,
    width: 28,
};

fn adamw() -> OptimizerConfig {
    OptimizerConfig::Adamw {
        lr: 1e-3,
        weight_decay: 0.01,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
    }
}

/// MLP 784-512-256-10.
fn reference_mlp() -> ModelSpec {
    ModelSpec::Mlp {
        hidden: vec![512, 256],
        dropout: 0.0,
    }
}

/// conv3×3 1→32, pool, conv3×3 32→64, pool, fc 128, fc 10.
fn reference_cnn() -> ModelSpec {
    ModelSpec::PlainCnn {
        channels: vec![32, 64],
        pool_every: 1,
        batch_norm: false,
        hidden: vec![128],
        dropout: 0.0,
    }
}

/// The three models of the PyTorch comparison, all AdamW (lr 1e-3, weight decay 0.01) at `batch`:
/// `mlp` (784-512-256-10), `cnn` (conv32-pool-conv64-pool-fc128-fc10), and `kd` (the MLP taught by
/// the CNN, T = 4, alpha = 0.9); and `kd-cached`, the same KD step on cached teacher logits (to
/// compare with `mlp`, the same student from labels).
pub fn reference_cases(batch: usize) -> Vec<BenchCase> {
    let case = |name: &str, model: ModelSpec, kd: Option<KdSpec>| BenchCase {
        name: name.into(),
        model,
        input: MNIST,
        classes: 10,
        batch,
        optimizer: adamw(),
        kd,
    };
    vec![
        case("mlp", reference_mlp(), None),
        case("cnn", reference_cnn(), None),
        case(
            "kd",
            reference_mlp(),
            Some(KdSpec {
                teacher: reference_cnn(),
                temperature: 4.0,
                alpha: 0.9,
                cached: false,
            }),
        ),
        case(
            "kd-cached",
            reference_mlp(),
            Some(KdSpec {
                teacher: reference_cnn(),
                temperature: 4.0,
                alpha: 0.9,
                cached: true,
            }),
        ),
    ]
}

const CIFAR: ImageShape = ImageShape {
    channels: 3,
    height: 32,
    width: 32,
};

/// The CIFAR-100 ResNets of the literature's distillation runs (ResNet-110 → ResNet-8 and the
/// assistants between): `resnet20`, `resnet56`, `resnet110` on 3×32×32 images, 100 classes, SGD
/// (lr 0.1, momentum 0.9, Nesterov, weight decay 5e-4) at `batch`. Measured only when named in
/// `--cases`: on a CPU one round of ResNet-110 takes minutes.
pub fn cifar_resnet_cases(batch: usize) -> Vec<BenchCase> {
    [20, 56, 110]
        .into_iter()
        .map(|depth| BenchCase {
            name: format!("resnet{depth}"),
            model: ModelSpec::ResnetCifar { depth },
            input: CIFAR,
            classes: 100,
            batch,
            optimizer: OptimizerConfig::Sgd {
                lr: 0.1,
                momentum: 0.9,
                weight_decay: 5e-4,
                nesterov: true,
            },
            kd: None,
        })
        .collect()
}

/// Every model of every `*.yaml` preset in `dir` (sorted by file name), named `<preset>/<model>`,
/// with the preset's input shape, classes and optimizer, at `batch`. Presets that fail to load are
/// skipped with a warning on stderr.
pub fn preset_cases(dir: &Path, batch: usize) -> anyhow::Result<Vec<BenchCase>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let preset = match crate::preset::load(&file, &[]) {
            Ok(l) => l.preset,
            Err(e) => {
                eprintln!("mkd-tui bench: skipping {}: {e}", file.display());
                continue;
            }
        };
        for (name, node) in preset.nodes() {
            cases.push(BenchCase {
                name: format!("{}/{name}", preset.name),
                model: node.arch.clone(),
                input: preset.data.dataset.image_shape(),
                classes: preset.data.dataset.num_classes(),
                batch,
                optimizer: preset.training.optimizer.clone(),
                kd: None,
            });
        }
    }
    Ok(cases)
}
