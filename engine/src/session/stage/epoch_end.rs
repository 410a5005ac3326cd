//! The end of an epoch, once every arm has run it: the user's commands (quit, a new stop rule,
//! manual stop/resume of distillation), the advantage of the kd arm over its controls, the stop
//! rule's decision and `max_epochs`.

use crate::error::Result;
use crate::protocol::{AdvantageDelta, Event, LogLevel};
use crate::session::arm::Arm;
use crate::session::context::StageContext;
use crate::session::control::ManualRequest;
use crate::session::plan::StagePlan;
use crate::stop::{AfterStop, Curves, Manual, StopKind};

/// Whether the kd arm still learns from its teacher, and what the user asked by hand.
#[derive(Default)]
pub(super) struct KdSwitch {
    pub stopped: bool,
    pub manual: Manual,
}

/// What the stage does after an epoch end.
pub(super) enum Next {
    Continue,
    /// `finish` after a stop, or `max_epochs`.
    EndStage,
    Quit,
}

/// After every arm has run epoch `epoch` (1-based): apply what the user sent, ask the stop rule,
/// and say so. `distilled`: the primary arm is a kd arm.
///
/// Errors: the run directory cannot be written.
pub(super) fn run(
    ctx: &mut StageContext,
    stage: &StagePlan,
    arms: &[Arm],
    switch: &mut KdSwitch,
    distilled: bool,
    epoch: usize,
) -> Result<Next> {
    if ctx.control.poll(ctx.emitter)?.is_break() {
        return Ok(Next::Quit);
    }
    let rule_changed = ctx.control.take_pending_rule();
    if let Some(rule) = rule_changed.clone() {
        *ctx.rule = rule.clone();
        ctx.emit(Event::StopRuleApplied { rule })?;
    }
    for request in ctx.control.take_manual() {
        apply_manual(ctx, stage, request, switch, distilled, epoch)?;
    }
    let kd = &arms[0].val_history;
    let controls: Vec<&[f64]> = arms[1..].iter().map(|a| a.val_history.as_slice()).collect();
    let curves = Curves {
        kd,
        controls: if distilled { &controls } else { &[] },
    };
    if distilled && !controls.is_empty() {
        let mut delta: Vec<Option<f64>> = ctx
            .rule
            .advantage(&curves)
            .into_iter()
            .map(|d| d.is_finite().then_some(d))
            .collect();
        // One number per epoch; the whole curve only when a new rule re-judged it.
        let delta = if rule_changed.is_some() {
            AdvantageDelta::Curve(delta)
        } else {
            delta.resize(epoch, None);
            AdvantageDelta::Value(delta[epoch - 1])
        };
        ctx.emit(Event::Advantage {
            stage: stage.index,
            model: stage.name.clone(),
            epoch,
            delta,
        })?;
    }
    let decision = ctx.rule.decide(&curves, &switch.manual);
    let at_cap = ctx.rule.max_epochs.is_some_and(|m| epoch >= m) && epoch < stage.epochs;
    if let Some(d) =
        decision.filter(|d| distilled && !switch.stopped && d.kind != StopKind::MaxEpochs)
    {
        // A decision about an earlier epoch (thresholds changed mid-run) stops now.
        switch.stopped = true;
        let after = ctx.rule.after_stop;
        ctx.emit(Event::StopDecision {
            stage: stage.index,
            model: stage.name.clone(),
            epoch,
            kind: d.kind,
            reason: crate::describe::stop_reason(&d, ctx.rule),
            delta: d.delta.is_finite().then_some(d.delta),
            best_delta: d.best_delta.is_finite().then_some(d.best_delta),
            after,
        })?;
        if after == AfterStop::Finish {
            return Ok(Next::EndStage);
        }
    }
    if at_cap {
        ctx.emit(Event::StopDecision {
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
        })?;
        return Ok(Next::EndStage);
    }
    Ok(Next::Continue)
}

/// Apply one manual stop/resume `request` at the end of epoch `epoch` (1-based). A request that
/// cannot act is answered with a warning, and changes nothing.
fn apply_manual(
    ctx: &mut StageContext,
    stage: &StagePlan,
    request: ManualRequest,
    switch: &mut KdSwitch,
    distilled: bool,
    epoch: usize,
) -> Result<()> {
    let (model, stop) = match &request {
        ManualRequest::StopKd { model } => (model, true),
        ManualRequest::ResumeKd { model } => (model, false),
    };
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
        ctx.emit(Event::Log {
            level: LogLevel::Warn,
            message,
        })?;
    } else if stop {
        switch.manual.stopped_at = Some(epoch);
    } else {
        // Back on from the next epoch; the rule is re-armed from there.
        switch.manual.resumed_at = Some(epoch + 1);
        switch.stopped = false;
        ctx.emit(Event::DistillationResumed {
            stage: stage.index,
            model: stage.name.clone(),
            epoch,
        })?;
    }
    Ok(())
}
