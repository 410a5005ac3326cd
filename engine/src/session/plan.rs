//! The plan: a validated preset turned into stages (one per model of the chain) and their arms.

use std::path::PathBuf;

use crate::data::ImageShape;
use crate::model::ModelSpec;
use crate::preset::{ControlArm, OptimizerConfig, Preset, ScheduleConfig};
use crate::protocol::{ArmKind, NodeSummary, PlanSummary, Role};

/// Training of one model of the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct StagePlan {
    /// 0 is the teacher.
    pub index: usize,
    pub name: String,
    pub role: Role,
    pub spec: ModelSpec,
    /// Stage whose best checkpoint teaches this one (`None` for the teacher).
    pub taught_by: Option<usize>,
    /// The primary arm first (`kd` for distilled models, `scratch` for the teacher), then controls.
    pub arms: Vec<ArmKind>,
    /// Epochs of the schedule (0 when the weights are loaded).
    pub epochs: usize,
    pub batch_size: usize,
    pub optimizer: OptimizerConfig,
    pub schedule: ScheduleConfig,
    /// Load these weights instead of training (teacher only).
    pub weights: Option<PathBuf>,
    /// Trainable parameters.
    pub params: u64,
    /// Multiply-accumulates of one forward pass of one image.
    pub macs: u64,
}

impl StagePlan {
    /// The slot that seeds this model's initial weights and data order: the stage index for the
    /// teacher and the assistants, one fixed slot for the student, so that the student starts from
    /// the same weights and sees the same batches whatever chain (or strategy) teaches it. That
    /// pairs the students of `compare` and lets them share one cached scratch control.
    pub fn seed_slot(&self) -> u64 {
        match self.role {
            Role::Student => STUDENT_SEED_SLOT,
            _ => self.index as u64,
        }
    }
}

/// Seed slot of the student (far above any stage index).
pub const STUDENT_SEED_SLOT: u64 = 1 << 20;

/// Stages from teacher to student, and the data they share.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub preset: Preset,
    pub input: ImageShape,
    pub num_classes: usize,
    pub stages: Vec<StagePlan>,
}

impl Plan {
    /// Build the plan of a validated preset (see `preset::load`): the chain its strategy trains
    /// (see [`strategy_nodes`](super::strategy::strategy_nodes)).
    pub fn new(preset: &Preset) -> Plan {
        Plan::from_nodes(preset, super::strategy::strategy_nodes(preset))
    }

    /// The plan of the chain `nodes` (teacher first, student last; a lone node is a student trained
    /// from labels), with the rest of the settings from `preset`.
    pub fn from_nodes(preset: &Preset, nodes: Vec<(String, &crate::preset::ModelNode)>) -> Plan {
        let input = preset.data.dataset.image_shape();
        let num_classes = preset.data.dataset.num_classes();
        let last = nodes.len() - 1;
        let stages = nodes
            .into_iter()
            .enumerate()
            .map(|(index, (name, node))| {
                let role = match index {
                    0 if last > 0 => Role::Teacher,
                    i if i == last => Role::Student,
                    _ => Role::Assistant,
                };
                let arms = if index == 0 {
                    vec![ArmKind::Scratch]
                } else {
                    let mut arms = vec![ArmKind::Kd];
                    arms.extend(preset.distill.controls.iter().filter_map(|c| match c {
                        ControlArm::Scratch => Some(ArmKind::Scratch),
                        // Below the first assistant only: for the first one it is the kd arm.
                        ControlArm::KdFromTeacher => (index >= 2).then_some(ArmKind::KdFromTeacher),
                    }));
                    arms
                };
                let loaded = node.weights.is_some();
                StagePlan {
                    index,
                    name,
                    role,
                    spec: node.arch.clone(),
                    taught_by: index.checked_sub(1),
                    arms: if loaded { vec![] } else { arms },
                    epochs: if loaded {
                        0
                    } else {
                        node.epochs.unwrap_or(preset.training.epochs)
                    },
                    batch_size: preset.training.batch_size,
                    optimizer: node.lr.map_or_else(
                        || preset.training.optimizer.clone(),
                        |lr| preset.training.optimizer.with_lr(lr),
                    ),
                    schedule: preset.training.schedule.clone(),
                    weights: node.weights.clone(),
                    params: node.arch.param_count(input, num_classes),
                    macs: node.arch.macs(input, num_classes),
                }
            })
            .collect();
        Plan {
            preset: preset.clone(),
            input,
            num_classes,
            stages,
        }
    }

    /// What the front ends are told at the start. `sizes` are the (train, val, test) split sizes.
    pub fn summary(&self, sizes: (usize, usize, usize)) -> PlanSummary {
        PlanSummary {
            dataset: self.preset.data.dataset.as_str().to_string(),
            seed: self.preset.seed,
            train_size: sizes.0,
            val_size: sizes.1,
            test_size: sizes.2,
            batch_size: self.preset.training.batch_size,
            temperature: self.preset.distill.temperature,
            alpha: self.preset.distill.alpha,
            augment: if self.preset.data.augment.is_on() {
                self.preset.data.augment.summary()
            } else {
                String::new()
            },
            kl_reduction: self.preset.distill.kl_reduction.as_str().to_string(),
            // Filled in by the worker once the device is open.
            device: String::new(),
            nodes: self
                .stages
                .iter()
                .map(|s| NodeSummary {
                    name: s.name.clone(),
                    role: s.role,
                    arch: s.spec.label(),
                    params: s.params,
                    macs: s.macs,
                    epochs: s.epochs,
                    taught_by: s.taught_by.map(|t| self.stages[t].name.clone()),
                    arms: s.arms.clone(),
                    weights: s.weights.clone(),
                })
                .collect(),
        }
    }

    /// Epochs `stage` runs at most: its schedule, capped by the stop rule's `max_epochs`.
    pub fn capped_epochs(&self, stage: &StagePlan) -> usize {
        stage
            .epochs
            .min(self.preset.stop.max_epochs.unwrap_or(usize::MAX))
    }

    /// Work estimate in multiply-accumulates for `train_images` training images per epoch and
    /// `eval_images` evaluated per epoch (validation + test): a training step costs ≈ 3× a forward
    /// pass (forward, input gradient, weight gradient), a `kd` arm adds the teacher's forward.
    pub fn work_macs(&self, train_images: usize, eval_images: usize) -> f64 {
        self.stages
            .iter()
            .map(|s| {
                let per_arm = s.arms.iter().map(|arm| {
                    let teacher = match (arm, s.taught_by) {
                        (ArmKind::Kd, Some(t)) => self.stages[t].macs as f64,
                        _ => 0.0,
                    };
                    (3.0 * s.macs as f64 + teacher) * train_images as f64
                        + s.macs as f64 * eval_images as f64
                });
                per_arm.sum::<f64>() * self.capped_epochs(s) as f64
            })
            .sum()
    }
}
