//! Writing the per-epoch checkpoint of the stage in training, and continuing a stage from one
//! (what is written is described in [`checkpointer`](super::checkpointer)).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::error::Context as _;

use super::arm::{Arm, Source};
use super::context::StageContext;
use super::control_cache::Lookup;
use super::plan::{Plan, StagePlan};
use crate::error::{CheckpointMismatch, Error, Result};
use crate::model::Classifier;
use crate::protocol::{ArmKind, Event, LogLevel};
use crate::run_dir::RunDir;
use crate::stop::Manual;
use crate::train::{self, OptimizerState};

pub use super::checkpointer::{
    find, resume_dir, ArmState, Checkpointer, ResumePoint, StageState, DISABLE_ENV,
};

/// Write the checkpoint after epoch `epoch` (1-based) of `stage`. A checkpoint that cannot be
/// written costs the run only its resumability: it is a warning (once), not an error.
pub(super) fn save(
    ctx: &mut StageContext,
    stage: &StagePlan,
    arms: &[Arm],
    switch: (bool, &Manual),
    epoch: usize,
    stage_over: bool,
) -> Result<()> {
    if !ctx.checkpoints.enabled {
        return Ok(());
    }
    let started = Instant::now();
    let (events_lines, metrics_lines) = ctx.emitter.recorded_lines();
    let mut states = Vec::with_capacity(arms.len());
    let mut optimizers = Vec::new();
    for arm in arms {
        let step = match &arm.source {
            Source::Trained { optimizer, .. } => {
                let state = optimizer.state()?;
                let step = state.step;
                optimizers.push(state);
                step
            }
            Source::Cached(_) => 0,
        };
        states.push(ArmState {
            kind: arm.kind,
            cached: arm.is_cached(),
            records: arm.records.clone(),
            best_epoch: arm.best_epoch,
            best_val: arm.best_val,
            test_at_best: arm.test_at_best,
            last_test: arm.last_test,
            seconds: arm.seconds,
            saved: arm.saved,
            teacher_forwards: arm.teacher_forwards,
            distilled_epochs: arm.distilled_epochs,
            optimizer_step: step,
        });
    }
    let state = StageState {
        stage: stage.index,
        model: stage.name.clone(),
        epoch,
        stage_over,
        events_lines,
        metrics_lines,
        elapsed_s: ctx.checkpoints.elapsed_s(),
        rule: ctx.rule.clone(),
        kd_stopped: switch.0,
        manual_stopped_at: switch.1.stopped_at,
        manual_resumed_at: switch.1.resumed_at,
        arms: states,
    };
    let name = format!("s{:02}-e{epoch:04}", stage.index);
    let written = ctx
        .checkpoints
        .store
        .write(&name, &serde_json::to_value(&state)?, |dir| {
            let mut files = Vec::new();
            let mut optimizers = optimizers.iter();
            for (i, arm) in arms.iter().enumerate() {
                let Source::Trained { model, .. } = &arm.source else {
                    continue;
                };
                if arm.saved {
                    // The best checkpoint as of this epoch. A hard link costs nothing: the best
                    // file is replaced by rename, never rewritten in place.
                    let best = format!("best{i}.safetensors");
                    let to = dir.join(&best);
                    if std::fs::hard_link(&arm.checkpoint, &to).is_err() {
                        std::fs::copy(&arm.checkpoint, &to)?;
                    }
                    files.push(best);
                }
                let weights = format!("arm{i}.safetensors");
                model.save(&dir.join(&weights))?;
                let optim = format!("arm{i}.optim.safetensors");
                let tensors: HashMap<String, candle_core::Tensor> = optimizers
                    .next()
                    .expect("one optimizer state per trained arm")
                    .tensors
                    .iter()
                    .cloned()
                    .collect();
                candle_core::safetensors::save(&tensors, dir.join(&optim))?;
                files.extend([weights, optim]);
            }
            Ok(files)
        });
    ctx.checkpoints.written += written.is_ok() as usize;
    ctx.checkpoints.writing_s += started.elapsed().as_secs_f64();
    if let Err(e) = written {
        if !std::mem::replace(&mut ctx.checkpoints.warned, true) {
            ctx.emitter
                .emit(Event::Log {
                    level: LogLevel::Warn,
                    message: format!(
                        "could not write the resume checkpoint ({}); training goes on, but this run cannot be resumed past its last good checkpoint",
                        e.report()
                    ),
                })?;
        }
    }
    Ok(())
}

/// A stage continued from its checkpoint.
pub(super) struct Restored {
    pub arms: Vec<Arm>,
    pub kd_stopped: bool,
    pub manual: Manual,
    /// Epochs already done.
    pub epoch: usize,
    pub stage_over: bool,
}

/// When the run resumes inside `stage`: its arms rebuilt from the checkpoint (weights, optimizer
/// state, curves), the switch and the epoch to continue after. `None` for every other stage.
pub(super) fn restore(ctx: &mut StageContext, stage: &StagePlan) -> Result<Option<Restored>> {
    if ctx.checkpoints.resume_stage() != Some(stage.index) {
        return Ok(None);
    }
    let point = ctx.checkpoints.resume.take().expect("checked above");
    let state = point.state;
    let kinds: Vec<ArmKind> = state.arms.iter().map(|a| a.kind).collect();
    if kinds != stage.arms || state.model != stage.name {
        return Err(Error::CheckpointMismatch(Box::new(CheckpointMismatch {
            checkpoint: point.path,
            found_model: state.model,
            found_arms: kinds,
            planned_model: stage.name.clone(),
            planned_arms: stage.arms.clone(),
        })));
    }
    let mut arms = Vec::with_capacity(state.arms.len());
    for (i, saved) in state.arms.into_iter().enumerate() {
        let checkpoint = ctx.run_dir.checkpoint_path(&stage.name, saved.kind, i == 0);
        let source = if saved.cached {
            let key = ctx.cache.key(ctx.plan, stage);
            match ctx.cache.lookup(&key) {
                Lookup::Hit(curve) => Source::Cached(curve),
                _ => {
                    return Err(Error::ControlCacheGone {
                        checkpoint: point.path,
                        arm: saved.kind,
                        model: stage.name.clone(),
                        cache: ctx.cache.path(&key),
                    })
                }
            }
        } else {
            let mut model = Classifier::new(
                &stage.spec,
                ctx.plan.input,
                ctx.plan.num_classes,
                0,
                ctx.device,
            )?;
            let weights = point.path.join(format!("arm{i}.safetensors"));
            model
                .load(&weights)
                .with_context(|| format!("loading {}", weights.display()))?;
            let mut optimizer = train::build_optimizer(&stage.optimizer, model.trainable_vars())?;
            let optim = point.path.join(format!("arm{i}.optim.safetensors"));
            let tensors = candle_core::safetensors::load(&optim, ctx.device)
                .with_context(|| format!("loading {}", optim.display()))?;
            optimizer
                .load_state(&OptimizerState {
                    step: saved.optimizer_step,
                    tensors: tensors.into_iter().collect(),
                })
                .with_context(|| format!("loading {}", optim.display()))?;
            Source::Trained {
                model: Box::new(model),
                optimizer,
            }
        };
        let best = point.path.join(format!("best{i}.safetensors"));
        if saved.saved && best.is_file() {
            // The best epoch as the checkpoint knew it: a later best from the lost part of the
            // interrupted run must not stand in for it.
            let tmp = checkpoint.with_extension("safetensors.tmp");
            std::fs::copy(&best, &tmp)
                .and_then(|_| std::fs::rename(&tmp, &checkpoint))
                .with_context(|| format!("restoring {}", checkpoint.display()))?;
        }
        let mut arm = Arm::new(saved.kind, source, checkpoint);
        arm.val_history = saved.records.iter().map(|r| r.val_acc).collect();
        arm.records = saved.records;
        arm.best_epoch = saved.best_epoch;
        arm.best_val = saved.best_val;
        arm.test_at_best = saved.test_at_best;
        arm.last_test = saved.last_test;
        arm.seconds = saved.seconds;
        arm.saved = saved.saved;
        arm.teacher_forwards = saved.teacher_forwards;
        arm.distilled_epochs = saved.distilled_epochs;
        arms.push(arm);
    }
    Ok(Some(Restored {
        arms,
        kd_stopped: state.kd_stopped,
        manual: Manual {
            stopped_at: state.manual_stopped_at,
            resumed_at: state.manual_resumed_at,
        },
        epoch: state.epoch,
        stage_over: state.stage_over,
    }))
}

/// The best model of a stage finished before the interruption, as it teaches the next stage.
pub fn load_finished(
    plan: &Plan,
    run_dir: &RunDir,
    stage: &StagePlan,
    device: &candle_core::Device,
) -> Result<Classifier> {
    let mut model = Classifier::new(&stage.spec, plan.input, plan.num_classes, 0, device)?;
    let primary = stage.arms.first().copied().unwrap_or(ArmKind::Scratch);
    let path: PathBuf = match &stage.weights {
        Some(w) => w.clone(),
        None => run_dir.checkpoint_path(&stage.name, primary, true),
    };
    model
        .load(Path::new(&path))
        .with_context(|| format!("loading the best checkpoint of {}", stage.name))?;
    Ok(model)
}

/// Save `model` to `path` through a temporary file and a rename, so a reader (or a crash) never
/// sees half a checkpoint; `provenance` (dataset, normalisation, class names) goes into its
/// metadata.
pub fn save_atomically(
    model: &Classifier,
    path: &Path,
    provenance: Option<&crate::model::Provenance>,
) -> Result<()> {
    let tmp = path.with_extension("safetensors.tmp");
    model.save_with(&tmp, provenance)?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming {} into place", tmp.display()))
}
