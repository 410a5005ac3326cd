//! One stage: every arm of one model trained side by side, epoch by epoch, under the stop rule.
//!
//! Data flows one way: the plan's stage → its arms ([`arms`]) → one epoch of each arm
//! ([`arm_epoch`]) → the epoch end ([`epoch_end`]: commands, advantage, stop decision) → events;
//! checkpoints are kept on the way ([`bookkeeping`]).

mod arm_epoch;
mod arms;
mod bookkeeping;
mod epoch_end;

use std::time::Instant;

use crate::error::Context as _;

use super::arm::Arm;
use super::context::StageContext;
use super::plan::StagePlan;
use super::resume;
use super::teacher_logits::TeacherLogits;
use crate::data;
use crate::error::Result;
use crate::model::Classifier;
use crate::protocol::{ArmKind, ArmResult, Event, LogLevel};
use crate::seed::{self, purpose};
use crate::train;
use arm_epoch::EVAL_BATCH;
use epoch_end::{KdSwitch, Next};

/// How a stage ended.
pub enum StageOutcome {
    /// The model with its primary arm's best weights, ready to teach the next stage.
    Done(Box<Classifier>),
    /// The user quit.
    Aborted,
}

/// Evaluate the given weights on validation and test (teacher loaded from a file).
pub fn run_loaded(ctx: &mut StageContext, stage: &StagePlan) -> Result<StageOutcome> {
    let path = stage.weights.as_ref().expect("a loaded stage has weights");
    ctx.emit(Event::StageStarted {
        stage: stage.index,
        model: stage.name.clone(),
        epochs: 0,
        batches_per_epoch: 0,
        arms: vec![],
    })?;
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
    ctx.emit(Event::Log {
        level: LogLevel::Info,
        message: format!(
            "{} loaded from {}: val {val:.2}% test {test:.2}%",
            stage.name,
            path.display()
        ),
    })?;
    if train::near_chance(val, ctx.plan.num_classes) {
        ctx.emit(Event::Log {
            level: LogLevel::Warn,
            message: format!(
                "{}: validation accuracy {val:.2}% is near chance ({:.2}%): were these weights trained on this dataset, with this program's input normalisation?",
                stage.name,
                100.0 / ctx.plan.num_classes as f64
            ),
        })?;
    }
    ctx.emit(Event::StageFinished {
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
            teacher_forwards: 0,
            distilled_epochs: 0,
            cached: false,
        }],
    })?;
    Ok(StageOutcome::Done(Box::new(model)))
}

/// Train every arm of `stage` for its epochs — distillation stopping per the rule — checkpoint each
/// arm's best validation epoch, and return the primary arm's best model.
///
/// `teacher` teaches the kd arm; `chain_teacher` the kd-from-teacher control.
pub fn run_trained(
    ctx: &mut StageContext,
    stage: &StagePlan,
    teacher: Option<&Classifier>,
    chain_teacher: Option<&Classifier>,
) -> Result<StageOutcome> {
    let preset = &ctx.plan.preset;
    let distilled = stage.arms.first() == Some(&ArmKind::Kd);
    let train_len = ctx.data.train.len();
    let mut logits = TeacherLogits::new(preset.distill.logit_cache, preset.data.augment.is_on());
    let (mut arms, mut switch, first_epoch) = start(ctx, stage, distilled)?;
    let base_lr = stage.optimizer.lr();
    'epochs: for epoch in first_epoch..stage.epochs {
        let lr = train::learning_rate(&stage.schedule, base_lr, epoch, stage.epochs);
        // Same order for every arm of the stage: the arms share their data order.
        let order = data::epoch_order(
            train_len,
            seed::derive(
                preset.seed,
                &[purpose::DATA_ORDER, stage.seed_slot(), epoch as u64],
            ),
        );
        for arm in arms.iter_mut() {
            let teacher_of_arm = match arm.kind {
                ArmKind::Kd if !switch.stopped => teacher,
                ArmKind::KdFromTeacher => chain_teacher,
                _ => None,
            };
            let taught = teacher_of_arm.map(|t| (t, &mut logits));
            match arm_epoch::run(ctx, stage, arm, epoch, lr, &order, taught) {
                Ok(flow) if flow.is_break() => return Ok(StageOutcome::Aborted),
                Ok(_) => {}
                Err(e) => {
                    // A NaN loss may end the stage here and let the run go on.
                    super::halt::on_train_error(ctx, stage, arm.kind, epoch + 1, e)?;
                    break 'epochs;
                }
            }
        }
        let next = epoch_end::run(ctx, stage, &arms, &mut switch, distilled, epoch + 1)?;
        if !matches!(next, Next::Quit) {
            let over = matches!(next, Next::EndStage);
            let kd = (switch.stopped, &switch.manual);
            resume::save(ctx, stage, &arms, kd, epoch + 1, over)?;
        }
        match next {
            Next::Continue => {}
            Next::EndStage => break,
            Next::Quit => return Ok(StageOutcome::Aborted),
        }
    }
    arms::store_scratch_curve(ctx, stage, &arms)?;
    ctx.emit(Event::StageFinished {
        stage: stage.index,
        model: stage.name.clone(),
        arms: arms.iter().map(Arm::result).collect(),
    })?;
    bookkeeping::best_model(ctx, stage, arms).map(StageOutcome::Done)
}

/// The stage's arms, its distillation switch and the epoch (0-based) it trains first: restored
/// from the checkpoint of a resumed run (whose `StageStarted` is in `events.jsonl` already), else
/// built fresh and announced.
fn start(
    ctx: &mut StageContext,
    stage: &StagePlan,
    distilled: bool,
) -> Result<(Vec<Arm>, KdSwitch, usize)> {
    if let Some(r) = resume::restore(ctx, stage)? {
        let switch = KdSwitch {
            stopped: r.kd_stopped,
            manual: r.manual,
        };
        let first = if r.stage_over { stage.epochs } else { r.epoch };
        return Ok((r.arms, switch, first));
    }
    let arms = arms::build(ctx, stage)?;
    ctx.emit(Event::StageStarted {
        stage: stage.index,
        model: stage.name.clone(),
        epochs: stage.epochs,
        batches_per_epoch: ctx.data.train.len().div_ceil(stage.batch_size),
        arms: stage.arms.clone(),
    })?;
    let augment = ctx.plan.preset.data.augment;
    if augment.is_on() && (distilled || !ctx.dense_teachers.is_empty()) {
        ctx.emit(Event::Log {
            level: LogLevel::Info,
            message: format!(
                "{}: inputs augmented ({}): teachers run every batch (the logit cache is for un-augmented inputs)",
                stage.name,
                augment.summary()
            ),
        })?;
    }
    Ok((arms, KdSwitch::default(), 0))
}
