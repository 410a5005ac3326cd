//! Events emitted by the training worker. Every event is one JSON object per line in `events.jsonl`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::planner::{LadderEntry, PlannerThresholds, ProbeKind, Verdict};
use crate::stop::{AfterStop, StopKind, StopRule};

/// One training run inside a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArmKind {
    /// Distilled from the model above in the chain (`(1-alpha)·CE + alpha·T²·KL`).
    Kd,
    /// Labels only (cross-entropy). The teacher's single arm, and the control arm of every distilled model.
    Scratch,
    /// Control arm: plain KD from the chain's teacher, skipping the assistants (models below the
    /// first assistant only).
    KdFromTeacher,
}

impl ArmKind {
    /// Short name used in files and on screen: `kd`, `scratch`, `kd-from-teacher`.
    pub fn as_str(self) -> &'static str {
        match self {
            ArmKind::Kd => "kd",
            ArmKind::Scratch => "scratch",
            ArmKind::KdFromTeacher => "kd-from-teacher",
        }
    }

    /// True for the arms that run a teacher's forward pass while distilling.
    pub fn is_distilled(self) -> bool {
        matches!(self, ArmKind::Kd | ArmKind::KdFromTeacher)
    }
}

/// Position of a model in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Teacher,
    Assistant,
    Student,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Teacher => "teacher",
            Role::Assistant => "TA",
            Role::Student => "student",
        }
    }
}

/// One model of the chain as planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeSummary {
    /// Unique name within the run (`teacher`, `ta1`, `student`, or as given in the preset).
    pub name: String,
    pub role: Role,
    /// Short architecture label, e.g. `mlp-512-256`, `cnn-32-64-bn`, `resnet8`.
    pub arch: String,
    /// Trainable parameters.
    pub params: u64,
    /// Multiply-accumulates for one forward pass of one image.
    pub macs: u64,
    /// Epochs in the stage's schedule (0 when the weights are loaded).
    pub epochs: usize,
    /// Name of the model that teaches this one (`None` for the teacher).
    pub taught_by: Option<String>,
    /// Arms trained in this model's stage, the primary arm first.
    pub arms: Vec<ArmKind>,
    /// Weights loaded from this safetensors file instead of trained.
    pub weights: Option<PathBuf>,
}

/// The whole plan, sent once at the start of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// Dataset name (`fashion-mnist`, `mnist`, `digits`, `cifar10`, `cifar100`).
    pub dataset: String,
    /// The preset's seed.
    #[serde(default)]
    pub seed: u64,
    pub train_size: usize,
    pub val_size: usize,
    pub test_size: usize,
    pub batch_size: usize,
    /// KD temperature `T`.
    #[serde(with = "crate::protocol::float")]
    pub temperature: f64,
    /// KD weight `alpha` of the soft term.
    #[serde(with = "crate::protocol::float")]
    pub alpha: f64,
    /// Augmentation of the training batches in words (`random crop, pad 2 px`); empty when off.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub augment: String,
    /// Reduction of the KL term (`batchmean` or `mean`); empty in runs from before it existed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kl_reduction: String,
    /// The device that trains, in words (`cpu`, `cuda:0 (NVIDIA H100)`,
    /// [`crate::device::describe`]); empty in runs from before it was recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub device: String,
    /// Models from teacher to student.
    pub nodes: Vec<NodeSummary>,
}

/// Metrics of one epoch of one arm (one row of `metrics.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// Stage index, 0-based (0 is the teacher).
    pub stage: usize,
    pub model: String,
    pub arm: ArmKind,
    /// Epoch number, 1-based.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches.
    #[serde(with = "crate::protocol::float")]
    pub train_loss: f64,
    /// Top-1 accuracy on the validation split, %.
    #[serde(with = "crate::protocol::float")]
    pub val_acc: f64,
    /// Top-1 accuracy on the test split, %.
    #[serde(with = "crate::protocol::float")]
    pub test_acc: f64,
    /// Learning rate used during the epoch.
    #[serde(with = "crate::protocol::float")]
    pub lr: f64,
    /// Wall time of the epoch's training (evaluation excluded), seconds.
    #[serde(with = "crate::protocol::float")]
    pub seconds: f64,
    /// Training throughput, images/s.
    #[serde(with = "crate::protocol::float")]
    pub images_per_s: f64,
    /// The arm learned from a teacher this epoch: a kd arm before a stop of distillation or after
    /// a resume, and the kd-from-teacher control. `false` for labels only, and in records from
    /// before this field existed.
    #[serde(default)]
    pub distilled: bool,
}

/// Outcome of one arm of a finished stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmResult {
    pub arm: ArmKind,
    /// Epoch (1-based) with the best validation accuracy; 0 for loaded weights.
    pub best_epoch: usize,
    /// Best validation accuracy, %.
    #[serde(with = "crate::protocol::float")]
    pub best_val_acc: f64,
    /// Test accuracy at the best epoch, %.
    #[serde(with = "crate::protocol::float")]
    pub test_acc_at_best: f64,
    /// Test accuracy after the last epoch run, %.
    #[serde(with = "crate::protocol::float")]
    pub last_test_acc: f64,
    pub epochs_run: usize,
    /// Wall time of the arm's training and evaluation, seconds.
    #[serde(with = "crate::protocol::float")]
    pub seconds: f64,
    /// Best checkpoint, when one was written.
    pub checkpoint: Option<PathBuf>,
    /// Images passed through a teacher's forward pass (distilled arms), over all epochs.
    #[serde(default)]
    pub teacher_forwards: u64,
    /// Epochs trained with the teacher (alpha > 0); the rest, after a stop, used labels only.
    #[serde(default)]
    pub distilled_epochs: usize,
    /// The curve came from the control-curve cache instead of being trained in this run.
    #[serde(default)]
    pub cached: bool,
}

/// What an `Advantage` event carries: `null` or a number (one epoch), or an array (the curve).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AdvantageDelta {
    /// Δ at the event's epoch, pp (`None` where undefined).
    Value(Option<f64>),
    /// The whole curve, epoch 1 first, pp, replacing the one so far.
    Curve(Vec<Option<f64>>),
}

impl AdvantageDelta {
    /// Folds this into `curve` (epoch 1 first): a value lands at `epoch` (the curve cut or padded
    /// with `None` before it), a curve replaces it.
    pub fn apply_to(&self, epoch: usize, curve: &mut Vec<Option<f64>>) {
        match self {
            AdvantageDelta::Value(v) => {
                curve.resize(epoch.saturating_sub(1), None);
                curve.push(*v);
            }
            AdvantageDelta::Curve(c) => curve.clone_from(c),
        }
    }
}

/// Severity of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Info,
    Warn,
    Error,
}

/// Everything the worker tells the front ends. Only `BatchProgress` may be dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    RunStarted {
        preset: String,
        run_dir: PathBuf,
        /// UTC, RFC 3339.
        started_at: String,
        plan: PlanSummary,
        stop_rule: StopRule,
    },
    StageStarted {
        stage: usize,
        model: String,
        epochs: usize,
        batches_per_epoch: usize,
        arms: Vec<ArmKind>,
    },
    /// Lossy: sent with `try_send`, dropped when the front end is behind.
    BatchProgress {
        stage: usize,
        arm: ArmKind,
        epoch: usize,
        batch: usize,
        batches: usize,
        #[serde(with = "crate::protocol::float")]
        loss: f64,
    },
    EpochEnd(EpochRecord),
    /// A `SetStopRule` command took effect (or the preset's rule at start).
    StopRuleApplied {
        rule: StopRule,
    },
    /// Distillation of a model stopped (by the rule or by hand), or a stage hit `max_epochs`.
    StopDecision {
        stage: usize,
        model: String,
        /// Epoch (1-based) after which the teacher is no longer used.
        epoch: usize,
        kind: StopKind,
        /// One line with the thresholds and the numbers behind the decision.
        reason: String,
        /// Advantage `Δ` at the stop epoch and its best so far, pp (`None` without controls).
        #[serde(with = "crate::protocol::float::option", default)]
        delta: Option<f64>,
        #[serde(with = "crate::protocol::float::option", default)]
        best_delta: Option<f64>,
        /// What the stage does next: `finish` ends it, `labels` continues without the teacher.
        after: AfterStop,
    },
    /// Distillation of a stopped model was switched back on by the user (at this epoch's end).
    DistillationResumed {
        stage: usize,
        model: String,
        epoch: usize,
    },
    /// The advantage `Δ` of a distilled model under the rule in force, pp, sent after every epoch
    /// end: the value at `epoch` alone, so `events.jsonl` grows by one number per epoch; the whole
    /// curve (epoch 1 first) only when the rule changed at this epoch end (a new rule re-judges
    /// the whole history). Older files hold the whole curve in every event, without `epoch`.
    Advantage {
        stage: usize,
        model: String,
        /// Epoch (1-based) the event is about; 0 in older files.
        #[serde(default)]
        epoch: usize,
        delta: AdvantageDelta,
    },
    /// A control arm's curve was read from the control-curve cache instead of being trained.
    ControlCached {
        stage: usize,
        model: String,
        arm: ArmKind,
        path: PathBuf,
    },
    CheckpointSaved {
        model: String,
        arm: ArmKind,
        epoch: usize,
        path: PathBuf,
    },
    StageFinished {
        stage: usize,
        model: String,
        arms: Vec<ArmResult>,
    },
    Paused,
    Resumed,
    Log {
        level: LogLevel,
        message: String,
    },
    RunFinished {
        report_md: PathBuf,
        report_json: PathBuf,
        /// Total wall time, seconds.
        #[serde(with = "crate::protocol::float")]
        seconds: f64,
    },
    /// The user quit before the end; the run directory says so.
    RunAborted {
        reason: String,
    },
    /// An error (or a worker panic) ended the run.
    RunFailed {
        error: String,
    },
    /// The assistant planner starts (strategy `dynamic`), after the teacher is trained.
    PlannerStarted {
        teacher: LadderEntry,
        student: LadderEntry,
        /// Candidates strictly between student and teacher and the rest, largest first.
        ladder: Vec<LadderEntry>,
        thresholds: PlannerThresholds,
        /// Epochs of every probe.
        probe_epochs: usize,
        /// Prior from the parameter ratio: `k₀` and the ladder entries it suggests.
        prior_k0: usize,
        prior: Vec<String>,
    },
    /// A candidate assistant is about to be probed between `above` and `below`.
    PlannerCandidate {
        candidate: String,
        params: u64,
        above: String,
        below: String,
        /// Index in the assistant list the candidate would take (0: right below the teacher).
        position: usize,
        /// Its scratch probe accuracy and the middle of its neighbours', %.
        #[serde(with = "crate::protocol::float")]
        scratch_acc: f64,
        #[serde(with = "crate::protocol::float")]
        middle_acc: f64,
    },
    /// One probe finished: `model`, last of `chain`, trained for `epochs` epochs.
    PlannerProbe {
        /// Labels from the teacher down to `model`.
        chain: Vec<String>,
        model: String,
        kind: ProbeKind,
        /// Best validation accuracy of the probe, %.
        #[serde(with = "crate::protocol::float")]
        val_acc: f64,
        epochs: usize,
        /// Training images seen and wall time of the probe, seconds.
        images: u64,
        #[serde(with = "crate::protocol::float")]
        seconds: f64,
    },
    /// The planner accepted, rejected or dropped an assistant.
    PlannerDecision {
        candidate: String,
        verdict: Verdict,
        /// Student validation accuracy gained, pp (`None` when not measured).
        #[serde(with = "crate::protocol::float::option", default)]
        gain: Option<f64>,
        /// One line with the thresholds and numbers behind the decision.
        reason: String,
        /// The assistants after the decision, largest first.
        assistants: Vec<String>,
    },
    /// The planner chose its assistants; the chain trains next.
    PlannerFinished {
        assistants: Vec<String>,
        /// Why it stopped looking.
        reason: String,
        /// Probe compute: epochs, training images and wall time (seconds) of all probes.
        probe_epochs: usize,
        probe_images: u64,
        #[serde(with = "crate::protocol::float")]
        probe_seconds: f64,
    },
    /// The chain changed during the run (the planner chose the assistants): the new plan.
    PlanChanged {
        plan: PlanSummary,
    },
    /// A `SetPlannerThresholds` command took effect before the planner's next decision.
    PlannerThresholdsApplied {
        thresholds: PlannerThresholds,
    },
    /// A teacher's logits for the whole training split were computed once (eval mode, as the
    /// per-batch forward) and are reused every epoch of this stage instead of a teacher forward
    /// pass per batch: the inputs are not augmented, so they would be the same every epoch.
    TeacherLogitsCached {
        stage: usize,
        /// The model being distilled.
        model: String,
        /// The arm the cache serves (`kd`, or the `kd-from-teacher` control).
        arm: ArmKind,
        /// The teacher whose logits were cached.
        teacher: String,
        /// Training images passed through the teacher once to fill the cache (counted in the arm's
        /// teacher forward passes).
        examples: u64,
        /// Wall time of filling the cache, seconds (counted in the arm's first epoch).
        #[serde(with = "crate::protocol::float")]
        seconds: f64,
    },
    /// A training loss was NaN or infinite: the stage stopped at this batch. The run then fails
    /// or goes on, as `training.on_non_finite_loss` says (`run_goes_on`).
    StageHalted {
        stage: usize,
        model: String,
        arm: ArmKind,
        /// 1-based epoch and batch of the bad loss.
        epoch: usize,
        batch: usize,
        /// The loss as text (`NaN`, `inf`, `-inf`: JSON has no such numbers).
        loss: String,
        run_goes_on: bool,
    },
}

impl Event {
    /// Lifecycle events must reach every front end; only progress may be dropped.
    pub fn is_lossy(&self) -> bool {
        matches!(self, Event::BatchProgress { .. })
    }

    /// True for the events after which the worker sends nothing more.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Event::RunFinished { .. } | Event::RunAborted { .. } | Event::RunFailed { .. }
        )
    }
}
