//! How worker events change the front end's state: each event goes to the handler of its job
//! (the run, a stage, the stop of distillation, the planner); the rest are only logged.

use crate::describe::log;
use crate::protocol::Event;

use super::*;

impl App {
    // ---- events -------------------------------------------------------------------------------

    /// Folds one worker event into the state.
    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::RunStarted { .. }
            | Event::Paused
            | Event::Resumed
            | Event::RunFinished { .. }
            | Event::RunAborted { .. }
            | Event::RunFailed { .. } => self.on_run_event(event),
            Event::StageStarted { .. }
            | Event::BatchProgress { .. }
            | Event::EpochEnd(_)
            | Event::ControlCached { .. }
            | Event::StageFinished { .. } => self.on_stage_event(event),
            Event::StopRuleApplied { .. }
            | Event::StopDecision { .. }
            | Event::DistillationResumed { .. }
            | Event::Advantage { .. } => self.on_stop_event(event),
            Event::PlannerStarted { .. }
            | Event::PlannerCandidate { .. }
            | Event::PlannerProbe { .. }
            | Event::PlannerDecision { .. }
            | Event::PlannerFinished { .. }
            | Event::PlanChanged { .. }
            | Event::PlannerThresholdsApplied { .. } => self.on_planner(event),
            Event::CheckpointSaved { .. }
            | Event::Log { .. }
            | Event::TeacherLogitsCached { .. }
            | Event::StageHalted { .. } => self.log_event(event),
        }
    }

    /// Logs the line of an event whose words need nothing but the event (see [`log::entry`]).
    pub(super) fn log_event(&mut self, event: &Event) {
        if let Some((level, text)) = log::entry(event) {
            self.push_log(level, text);
        }
    }
}
