//! One stage: every arm of one model trained side by side, epoch by epoch, under the stop rule.

use std::ops::ControlFlow;
use std::time::Instant;

use anyhow::Context as _;
use candle_core::Device;

use super::arm::{Arm, Source};
use super::control::{Control, ManualRequest};
use super::control_cache::{CacheKey, CachedCurve, ControlCache, Lookup};
use super::emitter::Emitter;
use super::epoch_inputs::EpochInputs;
use super::plan::{Plan, StagePlan};
use super::resume::{self, Checkpointer};
use super::teacher_logits::TeacherLogits;
use crate::data::{self, Dataset};
use crate::model::Classifier;
use crate::protocol::{ArmKind, ArmResult, EpochRecord, Event, LogLevel};
use crate::run_dir::RunDir;
use crate::seed::{self, purpose};
use crate::stop::{AfterStop, Curves, Manual, StopKind, StopRule};
use crate::train::{self, EpochOutcome, KdTarget};

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
    pub cache: &'a ControlCache,
    /// Dense guidance (DGKD): every model above the one in training, teacher first; the kd arm
    /// learns from all of them while it distils. Empty for chain guidance.
    pub dense_teachers: Vec<&'a Classifier>,
    /// Per-epoch checkpoints, and where a resumed run continues.
    pub checkpoints: &'a mut Checkpointer,
}

/// How a stage ended.
pub enum StageOutcome {
    /// The model with its primary arm's best weights, ready to teach the next stage.
    Done(Box<Classifier>),
    /// The user quit.
    Aborted,
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
                teacher_forwards: 0,
                distilled_epochs: 0,
                cached: false,
            }],
        })
        .map_err(anyhow::Error::msg)?;
    Ok(StageOutcome::Done(Box::new(model)))
}

/// Whether the kd arm still learns from its teacher, and what the user asked by hand.
#[derive(Default)]
struct KdSwitch {
    stopped: bool,
    manual: Manual,
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
) -> anyhow::Result<StageOutcome> {
    let preset = &ctx.plan.preset;
    let distilled = stage.arms.first() == Some(&ArmKind::Kd);
    let train_len = ctx.data.train.len();
    let batches = train_len.div_ceil(stage.batch_size);
    let mut switch = KdSwitch::default();
    let augment = preset.data.augment;
    let mut logits = TeacherLogits::new(preset.distill.logit_cache, augment.is_on());
    // A resumed stage continues after its checkpoint; its start is in events.jsonl already.
    let (mut arms, first_epoch) = match resume::restore(ctx, stage)? {
        Some(r) => {
            switch = KdSwitch {
                stopped: r.kd_stopped,
                manual: r.manual,
            };
            (r.arms, if r.stage_over { stage.epochs } else { r.epoch })
        }
        None => {
            let arms = build_arms(ctx, stage)?;
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
            if augment.is_on() && (distilled || !ctx.dense_teachers.is_empty()) {
                emit(
                    ctx,
                    Event::Log {
                        level: LogLevel::Info,
                        message: format!(
                            "{}: inputs augmented ({}): teachers run every batch (the logit cache is for un-augmented inputs)",
                            stage.name,
                            augment.summary()
                        ),
                    },
                )?;
            }
            (arms, 0)
        }
    };
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
            match run_arm_epoch(ctx, stage, arm, epoch, lr, &order, taught) {
                Ok(flow) if flow.is_break() => return Ok(StageOutcome::Aborted),
                Ok(_) => {}
                Err(e) => {
                    // A NaN loss may end the stage here and let the run go on.
                    super::halt::on_train_error(ctx, stage, arm.kind, epoch + 1, e)?;
                    break 'epochs;
                }
            }
        }
        let next = end_of_epoch(ctx, stage, &arms, &mut switch, distilled, epoch + 1)?;
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
    store_scratch_curve(ctx, stage, &arms)?;
    emit(
        ctx,
        Event::StageFinished {
            stage: stage.index,
            model: stage.name.clone(),
            arms: arms.iter().map(Arm::result).collect(),
        },
    )?;
    // The next stage learns from this model's best epoch, not its last.
    let primary = arms.swap_remove(0);
    let Source::Trained { model, .. } = primary.source else {
        unreachable!("the primary arm is always trained")
    };
    let mut best = model;
    let last_stage = stage.index + 1 == ctx.plan.stages.len();
    if !primary.saved && last_stage {
        // Halted before any epoch ended, and nothing learns from it: nothing to reload.
        return Ok(StageOutcome::Done(best));
    }
    if !primary.saved {
        anyhow::bail!(
            "{} has no best checkpoint yet (halted in its first epoch) to teach the next stage",
            stage.name
        );
    }
    best.load(&primary.checkpoint)
        .with_context(|| format!("reloading the best checkpoint of {}", stage.name))?;
    Ok(StageOutcome::Done(best))
}

/// The stage's arms, primary first; a scratch control comes from the cache when it can.
fn build_arms(ctx: &mut StageContext, stage: &StagePlan) -> anyhow::Result<Vec<Arm>> {
    let init_seed = seed::derive(
        ctx.plan.preset.seed,
        &[purpose::WEIGHT_INIT, stage.seed_slot()],
    );
    let mut arms = Vec::new();
    for (i, &kind) in stage.arms.iter().enumerate() {
        let checkpoint = ctx.run_dir.checkpoint_path(&stage.name, kind, i == 0);
        if kind == ArmKind::Scratch && i > 0 {
            let key = CacheKey::new(ctx.plan, stage);
            match ctx.cache.lookup(&key) {
                Lookup::Hit(curve) => {
                    emit(
                        ctx,
                        Event::ControlCached {
                            stage: stage.index,
                            model: stage.name.clone(),
                            arm: kind,
                            path: ctx.cache.path(&key),
                        },
                    )?;
                    arms.push(Arm::new(kind, Source::Cached(curve), checkpoint));
                    continue;
                }
                Lookup::Corrupt(why) => emit(
                    ctx,
                    Event::Log {
                        level: LogLevel::Warn,
                        message: format!(
                            "ignoring the control cache ({why}); training the scratch arm"
                        ),
                    },
                )?,
                Lookup::Miss => {}
            }
        }
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
        let source = Source::Trained {
            model: Box::new(model),
            optimizer,
        };
        arms.push(Arm::new(kind, source, checkpoint));
    }
    Ok(arms)
}

/// The name of the model that teaches `arm` of `stage`: the chain's teacher for the
/// kd-from-teacher control, else the model above.
fn teacher_name(plan: &Plan, stage: &StagePlan, arm: ArmKind) -> String {
    match arm {
        ArmKind::KdFromTeacher => plan.stages[0].name.clone(),
        _ => stage
            .taught_by
            .map_or("teacher".into(), |i| plan.stages[i].name.clone()),
    }
}

/// Train (or replay from the cache) one epoch of one arm, evaluate it, record it.
/// `Break` when the user quit.
fn run_arm_epoch(
    ctx: &mut StageContext,
    stage: &StagePlan,
    arm: &mut Arm,
    epoch: usize,
    lr: f64,
    order: &[usize],
    teacher: Option<(&Classifier, &mut TeacherLogits)>,
) -> anyhow::Result<ControlFlow<()>> {
    let (model, optimizer) = match &mut arm.source {
        Source::Cached(curve) => {
            let mut record = curve.records[epoch].clone();
            record.stage = stage.index;
            record.model = stage.name.clone();
            emit(ctx, Event::EpochEnd(record.clone()))?;
            arm.record(record, 0.0);
            return Ok(ControlFlow::Continue(()));
        }
        Source::Trained { model, optimizer } => (model, optimizer),
    };
    optimizer.set_learning_rate(lr);
    let preset = &ctx.plan.preset;
    let data: &Dataset = ctx.data;
    let inputs = EpochInputs::prepare(model, preset, data, stage.seed_slot(), epoch);
    let train_data = inputs.source();
    let mut fill_seconds = 0.0;
    let dense_teachers = ctx.dense_teachers.clone();
    let dense_on = teacher.is_some() && super::dense::applies(&dense_teachers, arm.kind);
    let (kd, cached_teachers) = match teacher {
        None => (None, Vec::new()),
        Some((t, logits)) => {
            // The teachers this arm learns from: every model above under dense guidance.
            let taught_by: Vec<(&Classifier, String)> = if dense_on {
                dense_teachers
                    .iter()
                    .enumerate()
                    .map(|(j, &d)| (d, ctx.plan.stages[j].name.clone()))
                    .collect()
            } else {
                vec![(t, teacher_name(ctx.plan, stage, arm.kind))]
            };
            let filled = logits.fill_all(&taught_by, &data.train, |name, f| {
                ctx.emitter.emit(Event::TeacherLogitsCached {
                    stage: stage.index,
                    model: stage.name.clone(),
                    arm: arm.kind,
                    teacher: name.to_string(),
                    examples: f.examples,
                    seconds: f.seconds,
                })
            })?;
            // A cache costs one teacher forward pass per training image, once.
            arm.teacher_forwards += filled.examples;
            fill_seconds += filled.seconds;
            let logits: &TeacherLogits = logits;
            let cached_teachers: Vec<Option<train::CachedTeacher>> = if dense_on {
                dense_teachers
                    .iter()
                    .map(|&d| {
                        logits.cached(d).map(|cache| train::CachedTeacher {
                            cache,
                            device: model.device().clone(),
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let kd = KdTarget {
                teacher: t,
                temperature: preset.distill.temperature,
                alpha: preset.distill.alpha,
                reduction: preset.distill.kl_reduction,
                cache: logits.cached(t),
            };
            (Some(kd), cached_teachers)
        }
    };
    let (emitter, control) = (&mut *ctx.emitter, &mut *ctx.control);
    let mut channel_error = None;
    let kind = arm.kind;
    let mut on_batch = |b: train::BatchReport| {
        let progress = Event::BatchProgress {
            stage: stage.index,
            arm: kind,
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
    let dense = super::dense::target(
        ctx.plan,
        &dense_teachers,
        &cached_teachers,
        stage,
        kind,
        epoch,
        kd.is_some(),
    );
    let outcome = match &dense {
        Some(dense) => train::train_epoch_dense(
            model,
            optimizer.as_mut(),
            train_data,
            order,
            stage.batch_size,
            dense,
            &mut on_batch,
        ),
        None => train::train_epoch(
            model,
            optimizer.as_mut(),
            train_data,
            order,
            stage.batch_size,
            kd.as_ref(),
            &mut on_batch,
        ),
    }
    .with_context(|| {
        format!(
            "training {} ({} arm), epoch {}",
            stage.name,
            kind.as_str(),
            epoch + 1
        )
    })?;
    if let Some(e) = channel_error {
        anyhow::bail!(e);
    }
    let stats = match outcome {
        EpochOutcome::Completed(stats) => stats,
        EpochOutcome::Interrupted => return Ok(ControlFlow::Break(())),
    };
    let eval_started = Instant::now();
    let val = train::evaluate(model, &ctx.data.val, EVAL_BATCH)?;
    let test = train::evaluate(model, &ctx.data.test, EVAL_BATCH)?;
    arm.teacher_forwards += stats.teacher_forwards;
    if stats.teacher_forwards + stats.teacher_cached > 0 {
        arm.distilled_epochs += 1;
    }
    // Filling the teacher-logit cache is training work of this epoch.
    let seconds = stats.seconds + fill_seconds;
    let record = EpochRecord {
        stage: stage.index,
        model: stage.name.clone(),
        arm: kind,
        epoch: epoch + 1,
        train_loss: stats.train_loss,
        val_acc: val,
        test_acc: test,
        lr,
        seconds,
        images_per_s: stats.images as f64 / seconds.max(1e-9),
    };
    emit(ctx, Event::EpochEnd(record.clone()))?;
    // Fields of `arm` apart from `source` (still borrowed by `model`) can be read here.
    if val > arm.best_val {
        resume::save_atomically(model, &arm.checkpoint).with_context(|| {
            format!(
                "saving the best checkpoint of {} ({} arm)",
                stage.name,
                kind.as_str()
            )
        })?;
        arm.saved = true;
        emit(
            ctx,
            Event::CheckpointSaved {
                model: stage.name.clone(),
                arm: kind,
                epoch: epoch + 1,
                path: arm.checkpoint.clone(),
            },
        )?;
    }
    arm.record(record, seconds + eval_started.elapsed().as_secs_f64());
    Ok(ControlFlow::Continue(()))
}

/// What the stage does after an epoch end.
enum Next {
    Continue,
    /// `finish` after a stop, or `max_epochs`.
    EndStage,
    Quit,
}

/// After every arm has run epoch `epoch` (1-based): apply what the user sent, ask the stop rule,
/// and say so.
fn end_of_epoch(
    ctx: &mut StageContext,
    stage: &StagePlan,
    arms: &[Arm],
    switch: &mut KdSwitch,
    distilled: bool,
    epoch: usize,
) -> anyhow::Result<Next> {
    if ctx
        .control
        .poll(ctx.emitter)
        .map_err(anyhow::Error::msg)?
        .is_break()
    {
        return Ok(Next::Quit);
    }
    if let Some(rule) = ctx.control.take_pending_rule() {
        *ctx.rule = rule.clone();
        emit(ctx, Event::StopRuleApplied { rule })?;
    }
    for request in ctx.control.take_manual() {
        let (model, stop) = match &request {
            ManualRequest::StopKd { model } => (model, true),
            ManualRequest::ResumeKd { model } => (model, false),
        };
        // A request that cannot act is answered with a warning, and changes nothing.
        let refused = if *model != stage.name || !distilled {
            Some(format!(
                "{} distillation of {model}: it is not being distilled now ({} is training)",
                if stop { "cannot stop" } else { "cannot resume" },
                stage.name
            ))
        } else if stop && switch.stopped {
            Some(format!("{model}: distillation is already stopped"))
        } else if !stop && !switch.stopped {
            Some(format!(
                "{model}: distillation is already on; nothing to resume"
            ))
        } else {
            None
        };
        if let Some(message) = refused {
            emit(
                ctx,
                Event::Log {
                    level: LogLevel::Warn,
                    message,
                },
            )?;
        } else if stop {
            switch.manual.stopped_at = Some(epoch);
        } else {
            // Back on from the next epoch; the rule is re-armed from there.
            switch.manual.resumed_at = Some(epoch + 1);
            switch.stopped = false;
            emit(
                ctx,
                Event::DistillationResumed {
                    stage: stage.index,
                    model: stage.name.clone(),
                    epoch,
                },
            )?;
        }
    }
    let kd = &arms[0].val_history;
    let controls: Vec<&[f64]> = arms[1..].iter().map(|a| a.val_history.as_slice()).collect();
    let curves = Curves {
        kd,
        controls: if distilled { &controls } else { &[] },
    };
    if distilled && !controls.is_empty() {
        let delta = ctx.rule.advantage(&curves);
        emit(
            ctx,
            Event::Advantage {
                stage: stage.index,
                model: stage.name.clone(),
                delta: delta
                    .into_iter()
                    .map(|d| d.is_finite().then_some(d))
                    .collect(),
            },
        )?;
    }
    let decision = ctx.rule.decide(&curves, &switch.manual);
    let at_cap = ctx.rule.max_epochs.is_some_and(|m| epoch >= m) && epoch < stage.epochs;
    if let Some(d) =
        decision.filter(|d| distilled && !switch.stopped && d.kind != StopKind::MaxEpochs)
    {
        // A decision about an earlier epoch (thresholds changed mid-run) stops now.
        switch.stopped = true;
        let after = ctx.rule.after_stop;
        emit(
            ctx,
            Event::StopDecision {
                stage: stage.index,
                model: stage.name.clone(),
                epoch,
                kind: d.kind,
                reason: d.reason(ctx.rule),
                delta: d.delta.is_finite().then_some(d.delta),
                best_delta: d.best_delta.is_finite().then_some(d.best_delta),
                after,
            },
        )?;
        if after == AfterStop::Finish {
            return Ok(Next::EndStage);
        }
    }
    if at_cap {
        emit(
            ctx,
            Event::StopDecision {
                stage: stage.index,
                model: stage.name.clone(),
                epoch,
                kind: StopKind::MaxEpochs,
                reason: format!(
                    "max_epochs {} reached",
                    ctx.rule.max_epochs.unwrap_or(epoch)
                ),
                delta: None,
                best_delta: None,
                after: AfterStop::Finish,
            },
        )?;
        return Ok(Next::EndStage);
    }
    Ok(Next::Continue)
}

/// Store a scratch control trained over the whole schedule in the control-curve cache.
fn store_scratch_curve(
    ctx: &mut StageContext,
    stage: &StagePlan,
    arms: &[Arm],
) -> anyhow::Result<()> {
    let Some(arm) = arms
        .iter()
        .skip(1)
        .find(|a| a.kind == ArmKind::Scratch && !a.is_cached())
    else {
        return Ok(());
    };
    if arm.records.len() != stage.epochs {
        return Ok(());
    }
    let mut result: ArmResult = arm.result();
    result.checkpoint = None;
    let curve = CachedCurve {
        key: CacheKey::new(ctx.plan, stage),
        records: arm.records.clone(),
        result,
    };
    let (level, message) = match ctx.cache.store(&curve) {
        Ok(path) => (
            LogLevel::Info,
            format!(
                "scratch curve of {} cached in {}",
                stage.name,
                path.display()
            ),
        ),
        Err(e) => (
            LogLevel::Warn,
            format!(
                "could not write the control cache in {}: {e}",
                ctx.cache.dir().display()
            ),
        ),
    };
    emit(ctx, Event::Log { level, message })
}

fn emit(ctx: &mut StageContext, event: Event) -> anyhow::Result<()> {
    ctx.emitter.emit(event).map_err(anyhow::Error::msg)
}
