//! What the front end knows about each model of the chain: its plan, its stage's progress, its
//! epoch history per arm and its results.

use std::collections::BTreeMap;

use crate::protocol::{ArmKind, ArmResult, EpochRecord, NodeSummary};

/// Where a model's stage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeStatus {
    /// Its stage has not started.
    Waiting,
    /// Weights come from a file instead of training.
    Loaded,
    /// Training; `epoch` is the epoch in progress (1-based) of `epochs`.
    #[allow(missing_docs)] // named in the variant's doc
    Training { epoch: usize, epochs: usize },
    /// Trained to the end of its schedule.
    Done,
    /// The stop rule ended the stage after `epoch`.
    #[allow(missing_docs)] // named in the variant's doc
    Stopped { epoch: usize },
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
    /// Epoch after which the stop rule ended the stage, and why.
    pub stopped: Option<(usize, String)>,
    /// Epoch records per arm, in arrival order. Stages have few epochs, so nothing is dropped.
    pub history: BTreeMap<ArmKind, Vec<EpochRecord>>,
    /// Latest batch per arm.
    pub batch: BTreeMap<ArmKind, BatchState>,
    /// Per-arm results once the stage finished.
    pub results: Vec<ArmResult>,
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
            stopped: None,
            history: BTreeMap::new(),
            batch: BTreeMap::new(),
            results: Vec::new(),
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

    /// True when the model trains a scratch control beside a distilled primary arm.
    pub fn has_scratch_control(&self) -> bool {
        self.arms.len() > 1 && self.arms[1..].contains(&ArmKind::Scratch)
    }

    /// Epochs finished by `arm`.
    pub fn epochs_done(&self, arm: ArmKind) -> usize {
        self.history.get(&arm).map_or(0, Vec::len)
    }

    /// The stage's status.
    pub fn status(&self) -> NodeStatus {
        if self.is_loaded() && self.started {
            return NodeStatus::Loaded;
        }
        if let Some((epoch, _)) = self.stopped {
            return NodeStatus::Stopped { epoch };
        }
        if self.finished {
            return NodeStatus::Done;
        }
        if !self.started {
            return NodeStatus::Waiting;
        }
        // The epoch in progress is the one after the furthest arm's last finished epoch (arms of a
        // stage train side by side, so the front runner shows where the stage is).
        let done = self
            .arms
            .iter()
            .map(|&arm| self.epochs_done(arm))
            .max()
            .unwrap_or(0);
        let batch_epoch = self.batch.values().map(|b| b.epoch).max().unwrap_or(0);
        let epoch = (done + 1).max(batch_epoch).min(self.epochs.max(1));
        NodeStatus::Training {
            epoch,
            epochs: self.epochs,
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

    /// Mean training seconds of one epoch of one arm in this stage, once an epoch has finished.
    pub fn mean_epoch_seconds(&self) -> Option<f64> {
        let (sum, count) = self
            .history
            .values()
            .flatten()
            .fold((0.0, 0usize), |(s, n), r| (s + r.seconds, n + 1));
        (count > 0).then(|| sum / count as f64)
    }
}
