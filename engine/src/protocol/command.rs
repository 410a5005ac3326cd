//! Commands sent by a front end to the training worker.

use serde::{Deserialize, Serialize};

use super::PlannerThresholds;
use crate::stop::StopRule;

/// What a front end asks the worker to do. The worker answers each applied command with an event
/// (`Paused`, `Resumed`, `StopRuleApplied`, `RunAborted`), so a front end shows what took effect,
/// not what was asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Hold training after the current batch.
    Pause,
    /// Continue after a pause.
    Resume,
    /// Stop the run after the current batch; the run directory is marked aborted.
    Quit,
    /// Replace the stop rule; applied at the next epoch end and echoed as `StopRuleApplied`. The
    /// rule is then re-evaluated over the whole history, so it can stop distillation at once.
    SetStopRule(StopRule),
    /// Stop distilling this model at the next epoch end (echoed as `StopDecision` of kind `manual`).
    StopKd { model: String },
    /// Distil this model again from the next epoch on (echoed as `DistillationResumed`).
    ResumeKd { model: String },
    /// Replace the assistant planner's thresholds; applied before its next decision and echoed as
    /// `PlannerThresholdsApplied` (`probe_fraction` is not: probes already run fix the probe length).
    SetPlannerThresholds(PlannerThresholds),
}
