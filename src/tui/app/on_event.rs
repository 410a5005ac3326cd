//! How worker events change the front end's state.

use crate::describe::log;
use crate::protocol::{ArmKind, Command, Event, LogLevel};
use std::time::Duration;

use super::super::nodes::{KdChange, KdRequest, KdStop};
use super::*;

impl App {
    // ---- events -------------------------------------------------------------------------------

    /// Folds one worker event into the state.
    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::RunStarted {
                preset,
                run_dir,
                plan,
                stop_rule,
                ..
            } => {
                self.nodes = plan.nodes.iter().cloned().map(NodeState::new).collect();
                let longest = plan.nodes.iter().map(|n| n.epochs).max().unwrap_or(0);
                self.stop.on_started(stop_rule, longest);
                self.log_event(event);
                self.run = Some(RunInfo {
                    preset: preset.clone(),
                    run_dir: run_dir.clone(),
                    plan: plan.clone(),
                    // A viewer's clock already counts from the run's start (it joins late).
                    started_at: if self.options.viewer {
                        Duration::ZERO
                    } else {
                        self.now
                    },
                });
            }
            Event::StageStarted {
                stage,
                model,
                epochs,
                batches_per_epoch,
                arms,
            } => {
                let Some(i) = self.node_index(model, *stage) else {
                    self.warn(format!(
                        "stage {} started for unknown model {model}",
                        stage + 1
                    ));
                    return;
                };
                self.current = Some(i);
                // Models with loaded weights before this one are ready whether or not the worker
                // announced them with stages of their own.
                for earlier in self.nodes[..i].iter_mut().filter(|n| n.is_loaded()) {
                    earlier.started = true;
                    earlier.finished = true;
                }
                let total = self.nodes.len();
                let node = &mut self.nodes[i];
                node.started = true;
                node.epochs = *epochs;
                if !arms.is_empty() {
                    node.arms = arms.clone();
                }
                let text = log::stage_started(
                    (i + 1, total),
                    model,
                    &node.summary,
                    *epochs,
                    *batches_per_epoch,
                    &node.arms,
                );
                self.info(text);
            }
            Event::BatchProgress {
                stage,
                arm,
                epoch,
                batch,
                batches,
                loss,
            } => {
                if let Some(node) = self.nodes.get_mut(*stage) {
                    node.batch.insert(
                        *arm,
                        crate::tui::nodes::BatchState {
                            epoch: *epoch,
                            batch: *batch,
                            batches: *batches,
                            loss: *loss,
                        },
                    );
                }
            }
            Event::EpochEnd(record) => {
                let Some(i) = self.node_index(&record.model, record.stage) else {
                    return;
                };
                let node = &mut self.nodes[i];
                node.history
                    .entry(record.arm)
                    .or_default()
                    .push(record.clone());
                // A manual request the worker let pass without an echo (it only answers requests
                // that change something) is not pending any more once a later epoch ended.
                let stale = node
                    .kd_request
                    .filter(|r| record.arm == ArmKind::Kd && record.epoch > r.epoch());
                if stale.is_some() {
                    node.kd_request = None;
                }
                let labels = record.arm == ArmKind::Kd
                    && node.kd_stop().is_some_and(|s| s.epoch < record.epoch);
                let text = log::epoch_end(record, node.epochs, node.is_cached(record.arm), labels);
                self.info(text);
                if let Some(request) = stale {
                    let what = match request {
                        KdRequest::Stop { .. } => "stop",
                        KdRequest::Resume { .. } => "resume",
                    };
                    self.warn(format!(
                        "{}: the {what} of distillation asked for epoch {} was not applied",
                        record.model,
                        request.epoch()
                    ));
                }
            }
            Event::StopRuleApplied { rule } => {
                // The worker may confirm the rule in force at every epoch end; log changes only.
                let news = self.stop.applied() != Some(rule) || self.stop.sent().is_some();
                self.stop.on_applied(rule);
                if news {
                    self.log_event(event);
                }
            }
            Event::StopDecision {
                stage,
                model,
                epoch,
                kind,
                reason,
                delta,
                best_delta,
                after,
            } => {
                let stop = KdStop {
                    epoch: *epoch,
                    kind: *kind,
                    after: *after,
                    reason: reason.clone(),
                    delta: *delta,
                    best_delta: *best_delta,
                };
                if let Some(i) = self.node_index(model, *stage) {
                    let node = &mut self.nodes[i];
                    node.kd_changes.push(KdChange::Stopped(stop));
                    node.kd_request = None;
                }
                self.log_event(event);
            }
            Event::DistillationResumed {
                stage,
                model,
                epoch,
            } => {
                if let Some(i) = self.node_index(model, *stage) {
                    let node = &mut self.nodes[i];
                    node.kd_changes.push(KdChange::Resumed(*epoch));
                    node.kd_request = None;
                }
                self.log_event(event);
            }
            Event::Advantage {
                stage,
                model,
                delta,
            } => {
                if let Some(i) = self.node_index(model, *stage) {
                    self.nodes[i].advantage = delta.clone();
                }
            }
            Event::ControlCached {
                stage,
                model,
                arm,
                path,
            } => {
                if let Some(i) = self.node_index(model, *stage) {
                    self.nodes[i].cached.insert(*arm, path.clone());
                }
                self.log_event(event);
            }
            Event::CheckpointSaved { .. } => self.log_event(event),
            Event::StageFinished { stage, model, arms } => {
                let Some(i) = self.node_index(model, *stage) else {
                    return;
                };
                let node = &mut self.nodes[i];
                node.finished = true;
                node.results = arms.clone();
                node.batch.clear();
                node.kd_request = None;
                let loaded = node.is_loaded();
                let lines: Vec<String> = arms
                    .iter()
                    .map(|r| log::arm_finished(model, r, loaded))
                    .collect();
                for line in lines {
                    self.info(line);
                }
            }
            Event::Paused => {
                self.paused = true;
                self.pause_requested = None;
                self.log_event(event);
            }
            Event::Resumed => {
                self.paused = false;
                self.pause_requested = None;
                self.log_event(event);
            }
            Event::Log { .. } | Event::TeacherLogitsCached { .. } => self.log_event(event),
            Event::RunFinished {
                report_md,
                report_json,
                seconds,
            } => {
                let student = self.student_summary();
                for line in log::run_finished(*seconds, student.as_deref(), report_md) {
                    self.info(line);
                }
                self.end(Outcome::Finished {
                    report_md: report_md.clone(),
                    report_json: report_json.clone(),
                    seconds: *seconds,
                });
                if self.options.viewer {
                    // Replayed long after the end: the run's own duration, not the viewer's clock.
                    self.ended_at = Some(Duration::from_secs_f64(*seconds));
                }
            }
            Event::RunAborted { reason } => {
                self.log_event(event);
                self.end(Outcome::Aborted {
                    reason: reason.clone(),
                });
            }
            Event::RunFailed { error } => {
                self.log_event(event);
                self.end(Outcome::Failed {
                    error: error.clone(),
                });
            }
            Event::PlannerStarted { .. }
            | Event::PlannerCandidate { .. }
            | Event::PlannerProbe { .. }
            | Event::PlannerDecision { .. }
            | Event::PlannerFinished { .. }
            | Event::PlanChanged { .. }
            | Event::PlannerThresholdsApplied { .. } => self.on_planner(event),
            Event::StageHalted { .. } => self.log_event(event),
        }
    }

    /// Logs the line of an event whose words need nothing but the event (see [`log::entry`]).
    fn log_event(&mut self, event: &Event) {
        if let Some((level, text)) = log::entry(event) {
            self.push_log(level, text);
        }
    }

    /// The worker's event channel closed. Without a terminal event first, the worker died.
    pub fn on_disconnected(&mut self) {
        if self.outcome.is_none() {
            self.on_event(&Event::RunFailed {
                error: "worker stopped unexpectedly".into(),
            });
        }
    }

    /// A command could not be sent: the worker is gone.
    pub fn on_send_failed(&mut self, command: &Command) {
        let name = match command {
            Command::Pause => "pause",
            Command::Resume => "resume",
            Command::Quit => "quit",
            Command::SetStopRule(_) => "stop rule",
            Command::StopKd { .. } => "stop KD",
            Command::ResumeKd { .. } => "resume KD",
            Command::SetPlannerThresholds(_) => "planner thresholds",
        };
        self.push_log(
            LogLevel::Error,
            format!("could not send {name}: the worker is gone"),
        );
        self.pause_requested = None;
        // The worker is gone: nothing sent before will be echoed either.
        self.stop.on_send_failed();
        for node in &mut self.nodes {
            node.kd_request = None;
        }
        if matches!(command, Command::Quit) {
            // Nobody is left to confirm the quit; waiting would hang.
            self.quit = true;
        }
    }
}
