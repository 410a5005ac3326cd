//! `report.md` and `report.json`, built from the event stream alone, so a report always agrees
//! with `events.jsonl`.
//!
//! The types of the report live here; [`fold`] turns events into a [`Report`] ([`ReportBuilder`]),
//! [`markdown`] turns a `Report` into `report.md`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::protocol::{ArmKind, ArmResult, Role};
use crate::stop::{AfterStop, StopKind};

mod distillation;
mod fold;
mod markdown;
pub mod plots;

pub use distillation::{distilled_spans, spans_text, DistillationChange, EpochSpan};
pub use fold::ReportBuilder;

/// One arm of one model: the worker's [`ArmResult`] and what the report adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmReport {
    #[serde(flatten)]
    pub result: ArmResult,
    /// Mean training throughput over the arm's epochs, images/s.
    #[serde(with = "crate::protocol::float")]
    pub images_per_s: f64,
    /// Validation accuracy after each epoch, epoch 1 first, % (empty for loaded weights and in
    /// reports from before it existed). Drawn in `plots/`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub val_curve: Vec<f64>,
}

/// Where distillation of a model stopped (or its stage hit `max_epochs`), and what it saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlyStop {
    /// Epoch after which the teacher was no longer used.
    pub epoch: usize,
    pub kind: StopKind,
    pub reason: String,
    /// `labels` (training went on without the teacher) or `finish` (the stage ended).
    pub after: AfterStop,
    /// Advantage over the best control at the stop, pp.
    #[serde(with = "crate::protocol::float::option", default)]
    pub delta: Option<f64>,
    /// kd arm's validation and test accuracy at the stop epoch, %.
    #[serde(with = "crate::protocol::float::option", default)]
    pub val_acc_at_stop: Option<f64>,
    #[serde(with = "crate::protocol::float::option", default)]
    pub test_acc_at_stop: Option<f64>,
    /// Images not passed through the teacher compared with distilling the whole schedule.
    pub teacher_forwards_saved: u64,
    /// Estimated wall time saved, seconds: in `labels` mode the kd arm's epoch time with the teacher
    /// minus without, times the epochs without; in `finish` mode every arm's mean epoch time times
    /// the epochs not run.
    #[serde(with = "crate::protocol::float")]
    pub seconds_saved: f64,
}

/// One model of the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    pub name: String,
    pub role: Role,
    pub arch: String,
    pub params: u64,
    pub macs: u64,
    pub taught_by: Option<String>,
    /// Loaded from this file instead of trained.
    pub weights: Option<PathBuf>,
    pub epochs_planned: usize,
    pub stopped_early: Option<EarlyStop>,
    /// Every stop and resume of distillation, oldest first (empty for models not distilled, and
    /// in reports from before it existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distillation_changes: Vec<DistillationChange>,
    /// Epochs in which the kd arm learned from its teacher (empty for models not distilled).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distilled_spans: Vec<EpochSpan>,
    /// A NaN or infinite loss halted the stage: model, arm, epoch and batch in one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub halted: Option<String>,
    pub arms: Vec<ArmReport>,
    /// Advantage `Δ` of the kd arm over the best control after each epoch under the rule in force
    /// at the end (EMA-smoothed as the stop rule sees it), epoch 1 first, pp; `None` where
    /// undefined. Empty for models not distilled against controls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delta_curve: Vec<Option<f64>>,
}

/// A distilled model against its scratch control, at each arm's best validation epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub model: String,
    pub role: Role,
    /// %.
    #[serde(with = "crate::protocol::float")]
    pub kd_test_acc: f64,
    /// %.
    #[serde(with = "crate::protocol::float")]
    pub scratch_test_acc: f64,
    /// `kd_test_acc − scratch_test_acc`, percentage points.
    #[serde(with = "crate::protocol::float")]
    pub delta_pp: f64,
    #[serde(with = "crate::protocol::float")]
    pub kd_best_val_acc: f64,
    #[serde(with = "crate::protocol::float")]
    pub scratch_best_val_acc: f64,
}

/// The whole report (`report.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub preset: String,
    pub dataset: String,
    pub train_size: usize,
    pub val_size: usize,
    pub test_size: usize,
    #[serde(with = "crate::protocol::float")]
    pub temperature: f64,
    #[serde(with = "crate::protocol::float")]
    pub alpha: f64,
    /// Augmentation of the training batches in words; empty when off.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub augment: String,
    /// `batchmean` or `mean`; empty in reports from before it existed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kl_reduction: String,
    /// The device that trained (`cpu`, `cuda:0 (…)`); empty in reports from before it existed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub device: String,
    pub started_at: String,
    pub finished_at: String,
    /// Seconds.
    #[serde(with = "crate::protocol::float")]
    pub wall_seconds: f64,
    pub models: Vec<ModelReport>,
    /// Every distilled model against scratch, teacher side first; the student's is last.
    pub comparisons: Vec<Comparison>,
    /// Seed of every random choice.
    pub seed: u64,
    /// Stop rule in force at the end, and how many times it was changed during the run.
    pub stop_rule: Option<crate::stop::StopRule>,
    pub stop_rule_changes: usize,
    /// Images passed through a teacher's forward pass, all arms of all models.
    pub teacher_forwards: u64,
    /// Teacher forward passes the distillation stops saved against distilling every schedule to its end.
    /// A model whose kd arm learned from a teacher-logit cache saves none: its teacher ran once over
    /// the training set whatever the stop.
    pub teacher_forwards_saved: u64,
    /// The assistant planner's probes and decisions (strategy `dynamic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planner: Option<super::planner_report::PlannerReport>,
    /// Teachers whose training-set logits were computed once per stage and reused every epoch.
    #[serde(default)]
    pub teacher_logit_caches: Vec<LogitCacheNote>,
}

/// One teacher-logit cache of a run (`TeacherLogitsCached`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogitCacheNote {
    /// The distilled model and the arm the cache served.
    pub model: String,
    pub arm: ArmKind,
    /// The teacher whose logits were cached.
    pub teacher: String,
    /// Teacher forward passes spent filling it (once).
    pub examples: u64,
    /// Seconds spent filling it.
    #[serde(with = "crate::protocol::float")]
    pub seconds: f64,
}

impl Report {
    /// The student's distilled-vs-scratch line, when the student has both arms.
    pub fn student(&self) -> Option<&Comparison> {
        self.comparisons.iter().find(|c| c.role == Role::Student)
    }
}
