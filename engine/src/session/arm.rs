//! One arm of a stage: a model and its optimizer, or a curve read from the control cache, with
//! everything measured about it so far.

use std::path::PathBuf;

use crate::model::Classifier;
use crate::protocol::{ArmKind, ArmResult, EpochRecord};
use crate::train::Optimizer;

use super::control_cache::CachedCurve;

/// Where an arm's epochs come from.
pub enum Source {
    /// Trained in this run.
    Trained {
        model: Box<Classifier>,
        optimizer: Box<dyn Optimizer>,
    },
    /// Replayed from the control-curve cache (scratch arms only).
    Cached(Box<CachedCurve>),
}

/// An arm and its history.
pub struct Arm {
    pub kind: ArmKind,
    pub source: Source,
    /// Validation accuracy per epoch, %, epoch 1 first.
    pub val_history: Vec<f64>,
    /// One record per epoch run.
    pub records: Vec<EpochRecord>,
    pub best_epoch: usize,
    pub best_val: f64,
    pub test_at_best: f64,
    pub last_test: f64,
    /// Training and evaluation wall time, seconds.
    pub seconds: f64,
    pub checkpoint: PathBuf,
    pub saved: bool,
    /// Images passed through a teacher's forward pass.
    pub teacher_forwards: u64,
    /// Epochs trained with a teacher (alpha > 0).
    pub distilled_epochs: usize,
}

impl Arm {
    pub fn new(kind: ArmKind, source: Source, checkpoint: PathBuf) -> Arm {
        Arm {
            kind,
            source,
            val_history: Vec::new(),
            records: Vec::new(),
            best_epoch: 0,
            best_val: f64::NEG_INFINITY,
            test_at_best: 0.0,
            last_test: 0.0,
            seconds: 0.0,
            checkpoint,
            saved: false,
            teacher_forwards: 0,
            distilled_epochs: 0,
        }
    }

    pub fn is_cached(&self) -> bool {
        matches!(self.source, Source::Cached(_))
    }

    /// Fold in one epoch's record; true when it is the best validation accuracy so far.
    pub fn record(&mut self, record: EpochRecord, seconds: f64) -> bool {
        self.val_history.push(record.val_acc);
        self.last_test = record.test_acc;
        self.seconds += seconds;
        let best = record.val_acc > self.best_val;
        if best {
            self.best_val = record.val_acc;
            self.best_epoch = record.epoch;
            self.test_at_best = record.test_acc;
        }
        self.records.push(record);
        best
    }

    /// The arm's outcome for `StageFinished`.
    pub fn result(&self) -> ArmResult {
        ArmResult {
            arm: self.kind,
            best_epoch: self.best_epoch,
            best_val_acc: self.best_val,
            test_acc_at_best: self.test_at_best,
            last_test_acc: self.last_test,
            epochs_run: self.val_history.len(),
            seconds: self.seconds,
            checkpoint: self.saved.then(|| self.checkpoint.clone()),
            teacher_forwards: self.teacher_forwards,
            distilled_epochs: self.distilled_epochs,
            cached: self.is_cached(),
        }
    }
}
