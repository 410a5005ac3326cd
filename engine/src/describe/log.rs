//! The TUI log's register: terse lines for a narrow pane, which stamps them itself.
//!
//! [`entry`] words the events that need nothing but themselves. The others need what the front end
//! remembers (a stage's place in the chain, its epochs, which arms came from a cache), which the
//! caller passes: [`stage_started`], [`epoch_end`], [`arm_finished`], [`run_finished`].

use std::path::Path;

use super::{clock, halted_line, pct, planner_line, thousands};
use crate::protocol::{ArmKind, ArmResult, EpochRecord, Event, LogLevel, NodeSummary};
use crate::stop::{AfterStop, StopKind};

/// The log line of an event whose words need nothing but the event, with its severity; `None` for
/// the events worded by the functions beside this one and for those without a line (batch
/// progress, the live advantage).
pub fn entry(event: &Event) -> Option<(LogLevel, String)> {
    let info = |text: String| Some((LogLevel::Info, text));
    match event {
        Event::RunStarted {
            preset,
            run_dir,
            plan,
            ..
        } => info(format!(
            "run {preset} started · {} {}/{}/{} · T {} α {}{} · {}",
            plan.dataset,
            plan.train_size,
            plan.val_size,
            plan.test_size,
            plan.temperature,
            plan.alpha,
            if plan.device.is_empty() {
                String::new()
            } else {
                format!(" · on {}", plan.device)
            },
            run_dir.display()
        )),
        Event::StopRuleApplied { rule } => info(format!("stop rule applied: {}", rule.summary())),
        Event::StopDecision {
            model,
            epoch,
            kind,
            reason,
            after,
            ..
        } => info(if *kind == StopKind::MaxEpochs {
            format!("{model} stage ends after epoch {epoch}: {reason}")
        } else if *after == AfterStop::Finish {
            format!(
                "{model} KD stopped @{epoch} ({}), stage ends: {reason}",
                kind.as_str()
            )
        } else {
            format!(
                "{model} KD stopped @{epoch} ({}), labels from ep {}: {reason}",
                kind.as_str(),
                epoch + 1
            )
        }),
        Event::DistillationResumed { model, epoch, .. } => info(format!(
            "{model} KD resumed after epoch {epoch}: the teacher is back from ep {}",
            epoch + 1
        )),
        Event::ControlCached {
            model, arm, path, ..
        } => info(format!(
            "{model} {}: control curve from the cache {}",
            arm.as_str(),
            short_path(path)
        )),
        Event::CheckpointSaved {
            model,
            arm,
            epoch,
            path,
        } => info(format!(
            "saved {model} {} ep {epoch} → {}",
            arm.as_str(),
            file_name(path)
        )),
        Event::Paused => info("paused".into()),
        Event::Resumed => info("resumed".into()),
        Event::Log { level, message } => Some((*level, message.clone())),
        Event::TeacherLogitsCached {
            model,
            arm,
            teacher,
            examples,
            seconds,
            ..
        } => info(format!(
            "{model} {}: {teacher}'s logits cached ({examples} images, {seconds:.1} s), reused every epoch",
            arm.as_str()
        )),
        Event::RunAborted { reason } => Some((LogLevel::Warn, format!("run aborted: {reason}"))),
        Event::RunFailed { error } => Some((LogLevel::Error, format!("run failed: {error}"))),
        Event::StageHalted { .. } => Some((LogLevel::Error, halted_line(event)?)),
        Event::PlannerStarted { .. }
        | Event::PlannerCandidate { .. }
        | Event::PlannerProbe { .. }
        | Event::PlannerDecision { .. }
        | Event::PlannerFinished { .. }
        | Event::PlanChanged { .. }
        | Event::PlannerThresholdsApplied { .. } => info(planner_line(event)?),
        Event::StageStarted { .. }
        | Event::EpochEnd(_)
        | Event::StageFinished { .. }
        | Event::RunFinished { .. }
        | Event::BatchProgress { .. }
        | Event::Advantage { .. } => None,
    }
}

/// `stage 2/4 ta · mlp-128 · 8 ep × 469 batches · kd + scratch`, or `… · weights from ta.safetensors`
/// for a model loaded instead of trained. `place` is the stage's (1-based position, chain length);
/// `arms` those the stage trains.
pub fn stage_started(
    place: (usize, usize),
    model: &str,
    node: &NodeSummary,
    epochs: usize,
    batches_per_epoch: usize,
    arms: &[ArmKind],
) -> String {
    let (position, total) = place;
    match &node.weights {
        Some(path) => format!(
            "stage {position}/{total} {model} · {} · weights from {}",
            node.arch,
            file_name(path)
        ),
        None => format!(
            "stage {position}/{total} {model} · {} · {epochs} ep × {batches_per_epoch} batches · {}",
            node.arch,
            arm_list(arms)
        ),
    }
}

/// `student kd ep 3/8 loss 0.412 val 84.1% test 83.9% 27,000 img/s`; `cached` for an arm whose
/// curve came from the control cache (no loss, no speed), `labels` for a kd epoch after
/// distillation stopped.
pub fn epoch_end(record: &EpochRecord, epochs: usize, cached: bool, labels: bool) -> String {
    if cached {
        format!(
            "{} {} ep {}/{} val {} test {} (cached)",
            record.model,
            log_arm(record.arm),
            record.epoch,
            epochs,
            pct(record.val_acc),
            pct(record.test_acc)
        )
    } else {
        format!(
            "{} {} ep {}/{} loss {:.3} val {} test {} {} img/s{}",
            record.model,
            log_arm(record.arm),
            record.epoch,
            epochs,
            record.train_loss,
            pct(record.val_acc),
            pct(record.test_acc),
            thousands(record.images_per_s),
            if labels { " (labels)" } else { "" }
        )
    }
}

/// One arm of a finished stage: `ta kd done: best val 87.0% @ep 5 · test 86.6% · 5 ep in 00:30`,
/// or `ta loaded: val … test …` for a model whose weights were loaded.
pub fn arm_finished(model: &str, r: &ArmResult, loaded: bool) -> String {
    if loaded {
        return format!(
            "{model} loaded: val {} test {}",
            pct(r.best_val_acc),
            pct(r.test_acc_at_best)
        );
    }
    if !r.best_val_acc.is_finite() {
        // Halted before any epoch was validated: there is no best yet.
        return format!(
            "{model} {} halted before any epoch finished",
            r.arm.as_str()
        );
    }
    let cached = if r.cached { " (cached)" } else { "" };
    let distilled = if r.arm.is_distilled() && r.distilled_epochs < r.epochs_run {
        format!(" ({} with the teacher)", r.distilled_epochs)
    } else {
        String::new()
    };
    format!(
        "{model} {}{cached} done: best val {} @ep {} · test {} · {} ep{distilled} in {}",
        r.arm.as_str(),
        pct(r.best_val_acc),
        r.best_epoch,
        pct(r.test_acc_at_best),
        r.epochs_run,
        clock(r.seconds)
    )
}

/// The two lines of `RunFinished`: `run finished in 01:02 · <student>` and `report: <path>`.
pub fn run_finished(seconds: f64, student: Option<&str>, report_md: &Path) -> [String; 2] {
    let mut text = format!("run finished in {}", clock(seconds));
    if let Some(summary) = student {
        text.push_str(" · ");
        text.push_str(summary);
    }
    [text, format!("report: {}", report_md.display())]
}

/// An arm in the per-epoch lines: `kd`, `scratch`, `kft` (kd-from-teacher, named in full in the
/// stage's first line).
fn log_arm(arm: ArmKind) -> &'static str {
    match arm {
        ArmKind::KdFromTeacher => "kft",
        other => other.as_str(),
    }
}

/// `kd + scratch + kd-from-teacher (kft)`
fn arm_list(arms: &[ArmKind]) -> String {
    arms.iter()
        .map(|&a| match a {
            ArmKind::KdFromTeacher => "kd-from-teacher (kft)",
            other => other.as_str(),
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The last two components of `path`: `control-cache/3f2a….json`.
fn short_path(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .rev()
        .take(2)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        return path.display().to_string();
    }
    parts.into_iter().rev().collect::<Vec<_>>().join("/")
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
