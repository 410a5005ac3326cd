//! What the front end knows about each model of the chain: its plan, its stage's progress, its
//! epoch history per arm, the stop rule's decisions about it and its results.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::protocol::{ArmKind, ArmResult, EpochRecord, NodeSummary};
use crate::stop::{AfterStop, StopKind};

/// Where a model's stage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeStatus {
    /// Its stage has not started.
    Waiting,
    /// Weights come from a file instead of training.
    Loaded,
    /// Training (distilling, for a distilled model); `epoch` is the epoch in progress (1-based) of
    /// `epochs`.
    #[allow(missing_docs)] // named in the variant's doc
    Training { epoch: usize, epochs: usize },
    /// Distillation stopped after epoch `stopped_at` (by `kind`); the model goes on training from
    /// labels only, now in epoch `epoch` of `epochs`.
    #[allow(missing_docs)] // named in the variant's doc
    Labels {
        stopped_at: usize,
        kind: StopKind,
        epoch: usize,
        epochs: usize,
    },
    /// Trained to the end of its schedule (distillation may have stopped before: see
    /// [`NodeState::kd_stop`]).
    Done,
    /// The stage ended at a stop after `epoch`: `after: finish`, or `max_epochs`.
    #[allow(missing_docs)] // named in the variant's doc
    Stopped { epoch: usize, kind: StopKind },
}

/// A `StopDecision` as the front end keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct KdStop {
    /// Epoch (1-based) after which the teacher is no longer used.
    pub epoch: usize,
    /// Which branch of the rule fired.
    pub kind: StopKind,
    /// What the stage did next.
    pub after: AfterStop,
    /// The worker's one-line reason.
    pub reason: String,
    /// Advantage at the stop epoch, pp.
    pub delta: Option<f64>,
    /// Best advantage before the stop, pp.
    pub best_delta: Option<f64>,
}

impl KdStop {
    /// True when the stage ended there (`finish`, or `max_epochs`) instead of going on from labels.
    pub fn ends_stage(&self) -> bool {
        self.after == AfterStop::Finish || self.kind == StopKind::MaxEpochs
    }
}

/// A change of a distilled model's teacher: stopped, or switched back on by hand.
#[derive(Debug, Clone, PartialEq)]
pub enum KdChange {
    /// Distillation (or the stage) stopped.
    Stopped(KdStop),
    /// Distillation resumed after this epoch.
    Resumed(usize),
}

/// A manual stop or resume of distillation sent and not yet echoed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdRequest {
    /// `s`: stop distilling at the end of epoch `epoch`.
    #[allow(missing_docs)]
    Stop { epoch: usize },
    /// `r`: resume distilling at the end of epoch `epoch`.
    #[allow(missing_docs)]
    Resume { epoch: usize },
}

impl KdRequest {
    /// The epoch at whose end the worker applies the request.
    pub fn epoch(self) -> usize {
        match self {
            KdRequest::Stop { epoch } | KdRequest::Resume { epoch } => epoch,
        }
    }
}

/// The latest batch of one arm (from the lossy `BatchProgress`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchState {
    /// Epoch the batch belongs to, 1-based.
    pub epoch: usize,
    /// Batch number within the epoch, 1-based.
    pub batch: usize,
    /// Batches per epoch.
    pub batches: usize,
    /// Training loss of the batch.
    pub loss: f64,
}

/// One model of the chain as the front end has seen it so far.
#[derive(Debug, Clone)]
pub struct NodeState {
    /// The model as planned.
    pub summary: NodeSummary,
    /// Its stage has started (or, for loaded weights, a later one has).
    pub started: bool,
    /// Its stage has finished.
    pub finished: bool,
    /// Epochs of the stage (from `StageStarted`, else the plan).
    pub epochs: usize,
    /// Arms of the stage (from `StageStarted`, else the plan), primary first.
    pub arms: Vec<ArmKind>,
    /// Stops and resumes of distillation, oldest first.
    pub kd_changes: Vec<KdChange>,
    /// A manual stop/resume sent and not yet echoed.
    pub kd_request: Option<KdRequest>,
    /// The advantage `Δ(t)` of the kd arm over its best control, pp, epoch 1 first (latest
    /// `Advantage` event).
    pub advantage: Vec<Option<f64>>,
    /// Control arms whose curve comes from the control-curve cache, with the cache file.
    pub cached: BTreeMap<ArmKind, PathBuf>,
    /// Epoch records per arm, in arrival order. Stages have few epochs, so nothing is dropped.
    pub history: BTreeMap<ArmKind, Vec<EpochRecord>>,
    /// Latest batch per arm.
    pub batch: BTreeMap<ArmKind, BatchState>,
    /// Per-arm results once the stage finished.
    pub results: Vec<ArmResult>,
    /// A candidate assistant the planner shows in the chain (not a stage of the plan).
    pub planner: Option<PlannerMark>,
}

/// Where a planner candidate stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PlannerMark {
    /// Under probe.
    Probing,
    /// Accepted with this gain of the student, pp.
    Accepted(Option<f64>),
    /// Rejected (gain in pp when measured).
    Rejected(Option<f64>),
}

/// Short name of an arm for tight places: `kd`, `scr`, `kft`.
pub fn short_arm(arm: ArmKind) -> &'static str {
    match arm {
        ArmKind::Kd => "kd",
        ArmKind::Scratch => "scr",
        ArmKind::KdFromTeacher => "kft",
    }
}

/// `margin`, `drop`, `manual`, `max_epochs`.
pub fn kind_word(kind: StopKind) -> &'static str {
    kind.as_str()
}

impl NodeState {
    /// A model whose stage has not started.
    pub fn new(summary: NodeSummary) -> Self {
        NodeState {
            epochs: summary.epochs,
            arms: summary.arms.clone(),
            summary,
            started: false,
            finished: false,
            kd_changes: Vec::new(),
            kd_request: None,
            advantage: Vec::new(),
            cached: BTreeMap::new(),
            history: BTreeMap::new(),
            batch: BTreeMap::new(),
            results: Vec::new(),
            planner: None,
        }
    }

    /// True when the weights are loaded rather than trained.
    pub fn is_loaded(&self) -> bool {
        self.summary.weights.is_some()
    }

    /// The arm whose accuracy stands for the model (the first one).
    pub fn primary_arm(&self) -> Option<ArmKind> {
        self.arms.first().copied()
    }

    /// True when the model learns from a teacher (its primary arm is `kd`).
    pub fn is_distilled(&self) -> bool {
        self.primary_arm() == Some(ArmKind::Kd)
    }

    /// The control arms beside a distilled primary arm (none for other models).
    pub fn controls(&self) -> &[ArmKind] {
        if self.is_distilled() {
            &self.arms[1..]
        } else {
            &[]
        }
    }

    /// True when the model trains a scratch control beside a distilled primary arm.
    pub fn has_scratch_control(&self) -> bool {
        self.controls().contains(&ArmKind::Scratch)
    }

    /// True when `arm`'s curve comes from the control-curve cache.
    pub fn is_cached(&self, arm: ArmKind) -> bool {
        self.cached.contains_key(&arm) || self.result(arm).is_some_and(|r| r.cached)
    }

    /// The stop in force: the latest stop, unless distillation was resumed after it.
    pub fn kd_stop(&self) -> Option<&KdStop> {
        match self.kd_changes.last() {
            Some(KdChange::Stopped(stop)) => Some(stop),
            _ => None,
        }
    }

    /// Every stop so far, oldest first (a resume does not erase the stop before it).
    pub fn stops(&self) -> impl Iterator<Item = &KdStop> {
        self.kd_changes.iter().filter_map(|c| match c {
            KdChange::Stopped(stop) => Some(stop),
            KdChange::Resumed(_) => None,
        })
    }

    /// The epoch after which distillation was last resumed, if it is on again.
    pub fn resumed_after(&self) -> Option<usize> {
        match self.kd_changes.last() {
            Some(KdChange::Resumed(epoch)) => Some(*epoch),
            _ => None,
        }
    }

    /// True when the stage is over: finished, or ended at a stop.
    pub fn stage_ended(&self) -> bool {
        self.finished || self.kd_stop().is_some_and(KdStop::ends_stage)
    }

    /// True while a distilled model is being trained with its teacher.
    pub fn kd_on(&self) -> bool {
        self.is_distilled() && self.started && !self.stage_ended() && self.kd_stop().is_none()
    }

    /// Epochs finished by `arm`.
    pub fn epochs_done(&self, arm: ArmKind) -> usize {
        self.history.get(&arm).map_or(0, Vec::len)
    }

    /// The epoch in progress (1-based): the one after the last epoch that every arm has finished
    /// (the arms of an epoch train one after the other), at most the last epoch.
    pub fn epoch_in_progress(&self) -> usize {
        let done = self
            .arms
            .iter()
            .map(|&arm| self.epochs_done(arm))
            .min()
            .unwrap_or(0);
        (done + 1).min(self.epochs.max(1))
    }

    /// The stage's status.
    pub fn status(&self) -> NodeStatus {
        if self.is_loaded() && self.started {
            return NodeStatus::Loaded;
        }
        if !self.started {
            return NodeStatus::Waiting;
        }
        match self.kd_stop() {
            Some(stop) if stop.ends_stage() => NodeStatus::Stopped {
                epoch: stop.epoch,
                kind: stop.kind,
            },
            _ if self.finished => NodeStatus::Done,
            Some(stop) => NodeStatus::Labels {
                stopped_at: stop.epoch,
                kind: stop.kind,
                epoch: self.epoch_in_progress(),
                epochs: self.epochs,
            },
            None => NodeStatus::Training {
                epoch: self.epoch_in_progress(),
                epochs: self.epochs,
            },
        }
    }

    /// Best validation accuracy of `arm`: the best epoch seen, or the stage's result (loaded weights
    /// have no epochs, only a result).
    pub fn best_val(&self, arm: ArmKind) -> Option<f64> {
        let from_epochs = self
            .history
            .get(&arm)
            .and_then(|records| records.iter().map(|r| r.val_acc).reduce(f64::max));
        let from_result = self
            .results
            .iter()
            .find(|r| r.arm == arm)
            .map(|r| r.best_val_acc);
        match (from_epochs, from_result) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// The finished stage's result of `arm`.
    pub fn result(&self, arm: ArmKind) -> Option<&ArmResult> {
        self.results.iter().find(|r| r.arm == arm)
    }

    /// Validation accuracy per epoch of `arm`, as chart points `(epoch, val %)`.
    pub fn val_curve(&self, arm: ArmKind) -> Vec<(f64, f64)> {
        self.history.get(&arm).map_or_else(Vec::new, |records| {
            records
                .iter()
                .map(|r| (r.epoch as f64, r.val_acc))
                .collect()
        })
    }

    /// The advantage curve as chart segments `(epoch, Δ pp)`, split where Δ is not defined.
    pub fn advantage_segments(&self) -> Vec<Vec<(f64, f64)>> {
        let mut segments = vec![Vec::new()];
        for (i, delta) in self.advantage.iter().enumerate() {
            match delta {
                Some(d) if d.is_finite() => segments
                    .last_mut()
                    .expect("never empty")
                    .push(((i + 1) as f64, *d)),
                _ => segments.push(Vec::new()),
            }
        }
        segments.retain(|s| !s.is_empty());
        segments
    }

    /// The latest defined advantage, pp, with its epoch.
    pub fn latest_advantage(&self) -> Option<(usize, f64)> {
        self.advantage
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, d)| d.filter(|d| d.is_finite()).map(|d| (i + 1, d)))
    }

    /// Mean training seconds of one epoch of one trained arm in this stage, once an epoch has
    /// finished (cached control arms cost nothing and are left out).
    pub fn mean_epoch_seconds(&self) -> Option<f64> {
        let (sum, count) = self
            .history
            .iter()
            .filter(|(arm, _)| !self.is_cached(**arm))
            .flat_map(|(_, records)| records)
            .fold((0.0, 0usize), |(s, n), r| (s + r.seconds, n + 1));
        (count > 0).then(|| sum / count as f64)
    }

    /// Arms that still cost training time (cached control arms do not).
    pub fn trained_arms(&self) -> impl Iterator<Item = ArmKind> + '_ {
        self.arms.iter().copied().filter(|&a| !self.is_cached(a))
    }
}
