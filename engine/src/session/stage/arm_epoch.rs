//! One epoch of one arm: trained (with its teachers, if any) or replayed from the control cache,
//! then evaluated and recorded.

use std::ops::ControlFlow;
use std::time::Instant;

use crate::error::Context as _;

use super::bookkeeping;
use crate::data::Dataset;
use crate::error::Result;
use crate::model::Classifier;
use crate::protocol::{ArmKind, EpochRecord, Event};
use crate::session::arm::{Arm, Source};
use crate::session::context::StageContext;
use crate::session::dense;
use crate::session::epoch_inputs::EpochInputs;
use crate::session::plan::{Plan, StagePlan};
use crate::session::teacher_logits::TeacherLogits;
use crate::train::{self, EpochOutcome, KdTarget};

/// Images per evaluation batch: no gradients are kept, so larger than training batches.
pub(super) const EVAL_BATCH: usize = 1000;

/// Train (or replay from the cache) epoch `epoch` (0-based) of `arm` at learning rate `lr` over
/// `order`, evaluate it, record it. `teacher` (with the stage's logit caches) teaches the arm this
/// epoch. `Break` when the user quit.
///
/// Errors: training failed (a [`TrainError`](crate::train::TrainError) inside the error, which
/// names the stage, arm and epoch), evaluation failed, or the run directory cannot be written.
pub(super) fn run(
    ctx: &mut StageContext,
    stage: &StagePlan,
    arm: &mut Arm,
    epoch: usize,
    lr: f64,
    order: &[usize],
    teacher: Option<(&Classifier, &mut TeacherLogits)>,
) -> Result<ControlFlow<()>> {
    let (model, optimizer) = match &mut arm.source {
        Source::Cached(curve) => {
            let mut record = curve.records[epoch].clone();
            record.stage = stage.index;
            record.model = stage.name.clone();
            // A cached control is replayed as trained: kd-from-teacher with its teacher throughout.
            record.distilled = arm.kind.is_distilled();
            ctx.emit(Event::EpochEnd(record.clone()))?;
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
    let dense_on = teacher.is_some() && dense::applies(&dense_teachers, arm.kind);
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
    let dense = dense::target(
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
        return Err(e);
    }
    let stats = match outcome {
        EpochOutcome::Completed(stats) => stats,
        EpochOutcome::Interrupted => return Ok(ControlFlow::Break(())),
    };
    let eval_started = Instant::now();
    let val = train::evaluate(model, &ctx.data.val, EVAL_BATCH)?;
    let test = train::evaluate(model, &ctx.data.test, EVAL_BATCH)?;
    arm.teacher_forwards += stats.teacher_forwards;
    let distilled = stats.teacher_forwards + stats.teacher_cached > 0;
    if distilled {
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
        distilled,
    };
    ctx.emit(Event::EpochEnd(record.clone()))?;
    // Fields of `arm` apart from `source` (still borrowed by `model`) can be read here.
    if val > arm.best_val {
        bookkeeping::save_best(ctx, stage, kind, epoch + 1, model, &arm.checkpoint)?;
        arm.saved = true;
    }
    arm.record(record, seconds + eval_started.elapsed().as_secs_f64());
    Ok(ControlFlow::Continue(()))
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
