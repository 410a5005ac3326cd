//! Events of the run as a whole: its start, pause and resume, its end (finished, stopped,
//! failed); a worker that went away, a command that could not be sent.

use std::time::Duration;

use crate::describe::log;
use crate::protocol::{Command, Event, LogLevel};

use super::*;

impl App {
    /// Folds an event of the run as a whole (the others are ignored here).
    pub(super) fn on_run_event(&mut self, event: &Event) {
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
            Event::Paused => {
                if !self.paused {
                    self.paused_since = Some(self.now);
                }
                self.paused = true;
                self.pause_requested = None;
                self.log_event(event);
            }
            Event::Resumed => {
                if let Some(since) = self.paused_since.take() {
                    self.paused_total += self.now.saturating_sub(since);
                }
                self.paused = false;
                self.pause_requested = None;
                self.log_event(event);
            }
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
            _ => {}
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
