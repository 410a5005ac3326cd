//! One stage: every arm of one model trained side by side, epoch by epoch, under the stop rule.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use candle_core::Device;

use super::control::Control;
use super::emitter::Emitter;
use super::plan::{Plan, StagePlan};
use crate::data::{self, Dataset};
use crate::model::Classifier;
use crate::protocol::{ArmKind, ArmResult, EpochRecord, Event};
use crate::run_dir::RunDir;
use crate::seed::{self, purpose};
use crate::stop::StopRule;
use crate::train::{self, EpochOutcome, KdTarget, Optimizer};

/// Images per evaluation batch: no gradients are kept, so larger than training batches.
const EVAL_BATCH: usize = 1000;

/// What a stage and the worker share.
pub struct StageContext<'a> {
    pub plan: &'a Plan,
    pub data: &'a Dataset,
    pub run_dir: &'a RunDir,
    pub emitter: &'a mut Emitter,
    pub control: &'a mut Control,
    /// The stop rule in force; changed by `SetStopRule` at epoch ends.
    pub rule: &'a mut StopRule,
    pub device: &'a Device,
}

/// How a stage ended.
pub enum StageOutcome {
    /// The model with its primary arm's best weights, ready to teach the next stage.
    Done(Box<Classifier>),
    /// The user quit.
    Aborted,
}

/// One arm being trained.
struct Arm {
    kind: ArmKind,
    model: Classifier,
    optimizer: Box<dyn Optimizer>,
    val_history: Vec<f64>,
    best_epoch: usize,
    best_val: f64,
    test_at_best: f64,
    last_test: f64,
    seconds: f64,
    checkpoint: PathBuf,
    saved: bool,
}

/// Evaluate the given weights on validation and test (teacher loaded from a file).
pub fn run_loaded(ctx: &mut StageContext, stage: &StagePlan) -> anyhow::Result<StageOutcome> {
    let path = stage.weights.as_ref().expect("a loaded stage has weights");
    ctx.emitter
        .emit(Event::StageStarted {
            stage: stage.index,
            model: stage.name.clone(),
            epochs: 0,
            batches_per_epoch: 0,
            arms: vec![],
        })
        .map_err(anyhow::Error::msg)?;
    let started = Instant::now();
    let mut model = Classifier::new(
        &stage.spec,
        ctx.plan.input,
        ctx.plan.num_classes,
        0,
        ctx.device,
    )
    .with_context(|| format!("building {}", stage.name))?;
    model
        .load(path)
        .with_context(|| format!("loading the weights of {}", stage.name))?;
    let val = train::evaluate(&model, &ctx.data.val, EVAL_BATCH)?;
    let test = train::evaluate(&model, &ctx.data.test, EVAL_BATCH)?;
    ctx.emitter
        .emit(Event::Log {
            level: crate::protocol::LogLevel::Info,
            message: format!(
                "{} loaded from {}: val {val:.2}% test {test:.2}%",
                stage.name,
                path.display()
            ),
        })
        .map_err(anyhow::Error::msg)?;
    ctx.emitter
        .emit(Event::StageFinished {
            stage: stage.index,
            model: stage.name.clone(),
            arms: vec![ArmResult {
                arm: ArmKind::Scratch,
                best_epoch: 0,
                best_val_acc: val,
                test_acc_at_best: test,
                last_test_acc: test,
                epochs_run: 0,
                seconds: started.elapsed().as_secs_f64(),
                checkpoint: Some(path.clone()),
            }],
        })
        .map_err(anyhow::Error::msg)?;
    Ok(StageOutcome::Done(Box::new(model)))
}

/// Train every arm of `stage` for its epochs (or until the stop rule ends the stage), checkpoint
/// each arm's best validation epoch, and return the primary arm's best model.
pub fn run_trained(
    ctx: &mut StageContext,
    stage: &StagePlan,
    teacher: Option<&Classifier>,
) -> anyhow::Result<StageOutcome> {
    let preset = &ctx.plan.preset;
    let init_seed = seed::derive(preset.seed, &[purpose::WEIGHT_INIT, stage.index as u64]);
    let mut arms = Vec::new();
    for (i, &kind) in stage.arms.iter().enumerate() {
        // Same seed for every arm: the arms share their initial weights.
        let model = Classifier::new(
            &stage.spec,
            ctx.plan.input,
            ctx.plan.num_classes,
            init_seed,
            ctx.device,
        )
        .with_context(|| format!("building {}", stage.name))?;
        let optimizer = train::build_optimizer(&stage.optimizer, model.trainable_vars())?;
        arms.push(Arm {
            kind,
            model,
            optimizer,
            val_history: Vec::new(),
            best_epoch: 0,
            best_val: f64::NEG_INFINITY,
            test_at_best: 0.0,
            last_test: 0.0,
            seconds: 0.0,
            checkpoint: ctx.run_dir.checkpoint_path(&stage.name, kind, i == 0),
            saved: false,
        });
    }
    let train_len = ctx.data.train.len();
    let batches = train_len.div_ceil(stage.batch_size);
    emit(
        ctx,
        Event::StageStarted {
            stage: stage.index,
            model: stage.name.clone(),
            epochs: stage.epochs,
            batches_per_epoch: batches,
            arms: stage.arms.clone(),
        },
    )?;
    let base_lr = stage.optimizer.lr();
    for epoch in 0..stage.epochs {
        let lr = train::learning_rate(&stage.schedule, base_lr, epoch, stage.epochs);
        // Same order for every arm of the stage: the arms share their data order.
        let order = data::epoch_order(
            train_len,
            seed::derive(
                preset.seed,
                &[purpose::DATA_ORDER, stage.index as u64, epoch as u64],
            ),
        );
        for arm in arms.iter_mut() {
            arm.optimizer.set_learning_rate(lr);
            let kd = match (arm.kind, teacher) {
                (ArmKind::Kd, Some(t)) => Some(KdTarget {
                    teacher: t,
                    temperature: preset.distill.temperature,
                    alpha: preset.distill.alpha,
                }),
                _ => None,
            };
            let (emitter, control) = (&mut *ctx.emitter, &mut *ctx.control);
            let mut channel_error = None;
            let mut on_batch = |b: train::BatchReport| {
                let progress = Event::BatchProgress {
                    stage: stage.index,
                    arm: arm.kind,
                    epoch: epoch + 1,
                    batch: b.batch,
                    batches: b.batches,
                    loss: b.loss,
                };
                if let Err(e) = emitter.emit(progress) {
                    channel_error = Some(e);
                    return ControlFlow::Break(());
                }
                match control.poll(emitter) {
                    Ok(flow) => flow,
                    Err(e) => {
                        channel_error = Some(e);
                        ControlFlow::Break(())
                    }
                }
            };
            let outcome = train::train_epoch(
                &arm.model,
                arm.optimizer.as_mut(),
                &ctx.data.train,
                &order,
                stage.batch_size,
                kd.as_ref(),
                &mut on_batch,
            )
            .with_context(|| {
                format!(
                    "training {} ({} arm), epoch {}",
                    stage.name,
                    arm.kind.as_str(),
                    epoch + 1
                )
            })?;
            if let Some(e) = channel_error {
                anyhow::bail!(e);
            }
            let stats = match outcome {
                EpochOutcome::Completed(stats) => stats,
                EpochOutcome::Interrupted => return Ok(StageOutcome::Aborted),
            };
            let eval_started = Instant::now();
            let val = train::evaluate(&arm.model, &ctx.data.val, EVAL_BATCH)?;
            let test = train::evaluate(&arm.model, &ctx.data.test, EVAL_BATCH)?;
            arm.seconds += stats.seconds + eval_started.elapsed().as_secs_f64();
            arm.val_history.push(val);
            arm.last_test = test;
            emit(
                ctx,
                Event::EpochEnd(EpochRecord {
                    stage: stage.index,
                    model: stage.name.clone(),
                    arm: arm.kind,
                    epoch: epoch + 1,
                    train_loss: stats.train_loss,
                    val_acc: val,
                    test_acc: test,
                    lr,
                    seconds: stats.seconds,
                    images_per_s: stats.images as f64 / stats.seconds.max(1e-9),
                }),
            )?;
            if val > arm.best_val {
                arm.best_val = val;
                arm.best_epoch = epoch + 1;
                arm.test_at_best = test;
                arm.model.save(&arm.checkpoint).with_context(|| {
                    format!(
                        "saving the best checkpoint of {} ({} arm)",
                        stage.name,
                        arm.kind.as_str()
                    )
                })?;
                arm.saved = true;
                emit(
                    ctx,
                    Event::CheckpointSaved {
                        model: stage.name.clone(),
                        arm: arm.kind,
                        epoch: epoch + 1,
                        path: arm.checkpoint.clone(),
                    },
                )?;
            }
        }
        // Epoch end: apply a rule sent during the epoch, then ask it about the primary arm.
        if ctx
            .control
            .poll(ctx.emitter)
            .map_err(anyhow::Error::msg)?
            .is_break()
        {
            return Ok(StageOutcome::Aborted);
        }
        if let Some(rule) = ctx.control.take_pending_rule() {
            *ctx.rule = rule.clone();
            emit(ctx, Event::StopRuleApplied { rule })?;
        }
        if epoch + 1 < stage.epochs {
            if let Some(reason) = ctx.rule.check(&arms[0].val_history) {
                emit(
                    ctx,
                    Event::StopDecision {
                        stage: stage.index,
                        model: stage.name.clone(),
                        epoch: epoch + 1,
                        reason: reason.to_string(),
                    },
                )?;
                break;
            }
        }
    }
    emit(
        ctx,
        Event::StageFinished {
            stage: stage.index,
            model: stage.name.clone(),
            arms: arms
                .iter()
                .map(|a| ArmResult {
                    arm: a.kind,
                    best_epoch: a.best_epoch,
                    best_val_acc: a.best_val,
                    test_acc_at_best: a.test_at_best,
                    last_test_acc: a.last_test,
                    epochs_run: a.val_history.len(),
                    seconds: a.seconds,
                    checkpoint: a.saved.then(|| a.checkpoint.clone()),
                })
                .collect(),
        },
    )?;
    // The next stage learns from this model's best epoch, not its last.
    let primary = arms.swap_remove(0);
    let mut best = primary.model;
    best.load(&primary.checkpoint)
        .with_context(|| format!("reloading the best checkpoint of {}", stage.name))?;
    Ok(StageOutcome::Done(Box::new(best)))
}

fn emit(ctx: &mut StageContext, event: Event) -> anyhow::Result<()> {
    ctx.emitter.emit(event).map_err(anyhow::Error::msg)
}
