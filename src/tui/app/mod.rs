//! The front end's state and its update functions: pure, no terminal, no clock, no channels.
//!
//! `on_event` folds in what the worker says, `on_key` what the user presses (returning the command
//! to send), `tick` what time it is. `view` reads the result.

use std::path::PathBuf;
use std::time::Duration;

use crate::protocol::{LogLevel, PlanSummary};

use super::eta;
use super::keys::Key;
use super::log::LogBuffer;
use super::nodes::{kind_word, KdChange, NodeState};
use super::stop_editor::StopEditor;
use super::{TuiExit, TuiOptions};
use crate::describe::pct;

mod on_event;
mod on_key;
mod on_planner;
mod on_run;
mod on_stage;
mod on_stop;

pub use on_planner::{PlannerPanel, PLANNER_ROWS};

/// Lines one PgUp/PgDn scrolls the log.
const LOG_PAGE: usize = 5;

/// How the run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `RunFinished`: the reports and the run's wall time in seconds.
    Finished {
        /// `report.md` in the run directory.
        report_md: PathBuf,
        /// `report.json` in the run directory.
        report_json: PathBuf,
        /// Total wall time, seconds.
        seconds: f64,
    },
    /// `RunAborted`, normally after the user quit.
    Aborted {
        /// Why, as the worker put it.
        reason: String,
    },
    /// `RunFailed`, or the worker vanished.
    Failed {
        /// What went wrong.
        error: String,
    },
}

/// What is drawn over the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    /// Just the main screen.
    None,
    /// The key and stop-rule help (`?`).
    Help,
    /// "Stop training? y/n"
    ConfirmQuit,
}

/// What `RunStarted` said.
#[derive(Debug, Clone)]
struct RunInfo {
    preset: String,
    run_dir: PathBuf,
    plan: PlanSummary,
    /// Front-end clock when the run started.
    started_at: Duration,
}

/// The whole state of the terminal front end.
#[derive(Debug, Clone)]
pub struct App {
    options: TuiOptions,
    now: Duration,
    run: Option<RunInfo>,
    nodes: Vec<NodeState>,
    current: Option<usize>,
    /// Stage picked with Tab for the chart; `None` follows the current stage.
    chart_choice: Option<usize>,
    stop: StopEditor,
    paused: bool,
    /// When the current pause began (front-end clock), while paused.
    paused_since: Option<Duration>,
    /// Paused time of the pauses that have ended.
    paused_total: Duration,
    /// Pause state asked for and not yet echoed.
    pause_requested: Option<bool>,
    log: LogBuffer,
    /// Lines scrolled back from the newest; 0 follows the log.
    log_scroll: usize,
    outcome: Option<Outcome>,
    /// Front-end clock when the run ended.
    ended_at: Option<Duration>,
    /// Esc hides the result box to look at the chart behind it.
    result_hidden: bool,
    overlay: Overlay,
    /// `Command::Quit` was sent; waiting for the worker's terminal event.
    quit_sent: bool,
    quit: bool,
    /// The assistant planner while it works (strategy `dynamic`).
    planner: Option<on_planner::PlannerPanel>,
}

impl App {
    /// A front end that has heard nothing yet.
    pub fn new(options: TuiOptions) -> Self {
        App {
            options,
            now: Duration::ZERO,
            run: None,
            nodes: Vec::new(),
            current: None,
            chart_choice: None,
            stop: StopEditor::default(),
            paused: false,
            paused_since: None,
            paused_total: Duration::ZERO,
            pause_requested: None,
            log: LogBuffer::default(),
            log_scroll: 0,
            outcome: None,
            ended_at: None,
            result_hidden: false,
            overlay: Overlay::None,
            quit_sent: false,
            quit: false,
            planner: None,
        }
    }

    /// Sets the clock: time since the front end started. Injected so that tests are deterministic.
    pub fn tick(&mut self, elapsed: Duration) {
        self.now = elapsed;
    }

    /// True once the user has left (or confirmed leaving and the worker has ended the run).
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// A signal asked the program to stop: leave now, without the quit confirmation (the caller
    /// stops the worker after its current batch).
    pub fn on_terminate(&mut self) {
        self.quit = true;
    }

    /// How the front end ended, for `main`'s exit status.
    pub fn exit(&self) -> TuiExit {
        match &self.outcome {
            Some(Outcome::Finished { .. }) => TuiExit::Finished,
            Some(Outcome::Aborted { .. }) => TuiExit::Aborted,
            Some(Outcome::Failed { error }) => TuiExit::Failed(error.clone()),
            None => TuiExit::QuitBeforeEnd,
        }
    }

    // ---- reading the state (for the view and tests) -------------------------------------------

    /// Options the front end was started with.
    pub fn options(&self) -> &TuiOptions {
        &self.options
    }

    /// The preset's name: from the worker once it has said, else from the options.
    pub fn preset(&self) -> &str {
        self.run
            .as_ref()
            .map_or(self.options.title.as_str(), |r| r.preset.as_str())
    }

    /// The plan, once the run has started.
    pub fn plan(&self) -> Option<&PlanSummary> {
        self.run.as_ref().map(|r| &r.plan)
    }

    /// The run directory, once the run has started.
    pub fn run_dir(&self) -> Option<&std::path::Path> {
        self.run.as_ref().map(|r| r.run_dir.as_path())
    }

    /// The models of the chain, teacher first.
    pub fn nodes(&self) -> &[NodeState] {
        &self.nodes
    }

    /// Index of the stage being (or last) trained.
    pub fn current_stage(&self) -> Option<usize> {
        self.current
    }

    /// Index of the stage the chart shows.
    pub fn chart_stage(&self) -> Option<usize> {
        self.chart_choice.or(self.current)
    }

    /// True when the chart shows a stage picked with Tab rather than the current one.
    pub fn chart_is_pinned(&self) -> bool {
        self.chart_choice.is_some()
    }

    /// The stop-strategy panel.
    pub fn stop(&self) -> &StopEditor {
        &self.stop
    }

    /// True once the worker confirmed a pause.
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Pause state asked for and not yet confirmed.
    pub fn pause_requested(&self) -> Option<bool> {
        self.pause_requested
    }

    /// The log, oldest first.
    pub fn log(&self) -> &LogBuffer {
        &self.log
    }

    /// Lines the log is scrolled back; 0 follows the newest.
    pub fn log_scroll(&self) -> usize {
        self.log_scroll
    }

    /// How the run ended, once it has.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    /// True while the run goes on and the user has not asked to stop it.
    pub fn is_running(&self) -> bool {
        self.outcome.is_none() && !self.quit_sent
    }

    /// True after the user confirmed quitting, until the worker answers.
    pub fn is_stopping(&self) -> bool {
        self.quit_sent && self.outcome.is_none()
    }

    /// True when the result box is hidden (Esc).
    pub fn result_hidden(&self) -> bool {
        self.result_hidden
    }

    /// The overlay on top of the screen.
    pub fn overlay(&self) -> Overlay {
        self.overlay
    }

    /// The front-end clock.
    pub fn now(&self) -> Duration {
        self.now
    }

    /// Time since the run started, frozen when it ended.
    pub fn run_elapsed(&self) -> Duration {
        let start = self.run.as_ref().map_or(Duration::ZERO, |r| r.started_at);
        self.ended_at.unwrap_or(self.now).saturating_sub(start)
    }

    /// Estimated seconds left, once an epoch has been measured.
    pub fn eta_seconds(&self) -> Option<f64> {
        if self.outcome.is_some() {
            return None;
        }
        let max_epochs = self.stop.applied().and_then(|r| r.max_epochs);
        let active = self.run_elapsed().saturating_sub(self.paused_time());
        // Augmentation turns the teacher-logit cache off: teachers then run every batch.
        let teachers_run = self
            .run
            .as_ref()
            .is_some_and(|r| !r.plan.augment.is_empty());
        eta::seconds_left(
            &self.nodes,
            self.current?,
            max_epochs,
            active.as_secs_f64(),
            teachers_run,
        )
    }

    /// Time spent paused so far (the current pause included), as the worker's echoes say.
    pub fn paused_time(&self) -> Duration {
        let current = self
            .paused_since
            .map_or(Duration::ZERO, |since| self.now.saturating_sub(since));
        self.paused_total + current
    }

    /// `student kd 84.0% vs scratch 83.5% (+0.5 pp) · test 83.8% vs 83.1%`, from the last finished
    /// stage of the chain; a distilled model is compared with its best control arm by validation
    /// accuracy.
    pub fn student_summary(&self) -> Option<String> {
        let node = self.nodes.iter().rev().find(|n| !n.results.is_empty())?;
        let primary = node.result(node.primary_arm()?)?;
        let name = &node.summary.name;
        let arm = primary.arm.as_str();
        let best_control = node
            .controls()
            .iter()
            .filter_map(|&c| node.result(c))
            .filter(|r| r.arm != primary.arm)
            .reduce(|a, b| {
                if b.best_val_acc > a.best_val_acc {
                    b
                } else {
                    a
                }
            });
        match best_control {
            // Test accuracy at the best validation epoch, as in report.md and the headless summary.
            Some(control) => Some(format!(
                "{name} {arm} test {} vs {} {} ({:+.1} pp) · best val {} vs {}",
                pct(primary.test_acc_at_best),
                control.arm.as_str(),
                pct(control.test_acc_at_best),
                primary.test_acc_at_best - control.test_acc_at_best,
                pct(primary.best_val_acc),
                pct(control.best_val_acc)
            )),
            None => Some(format!(
                "{name} {arm} val {} · test {}",
                pct(primary.best_val_acc),
                pct(primary.test_acc_at_best)
            )),
        }
    }

    /// `KD stopped: ta @6 drop (finish) · student @1 manual (labels), resumed after 5`: every stop
    /// and resume of distillation of each distilled model that has stopped, oldest first.
    pub fn stop_summary(&self) -> Option<String> {
        let parts: Vec<String> = self
            .nodes
            .iter()
            .filter(|n| n.is_distilled() && n.stops().next().is_some())
            .map(|n| {
                let changes: Vec<String> = n
                    .kd_changes
                    .iter()
                    .map(|change| match change {
                        KdChange::Stopped(stop) => {
                            let after = if stop.kind == crate::stop::StopKind::MaxEpochs {
                                String::new()
                            } else {
                                format!(" ({})", stop.after.as_str())
                            };
                            format!("@{} {}{after}", stop.epoch, kind_word(stop.kind))
                        }
                        KdChange::Resumed(epoch) => format!("resumed after {epoch}"),
                    })
                    .collect();
                format!("{} {}", n.summary.name, changes.join(", "))
            })
            .collect();
        (!parts.is_empty()).then(|| format!("KD stopped: {}", parts.join(" · ")))
    }

    // ---- helpers ------------------------------------------------------------------------------

    fn node_index(&self, model: &str, stage: usize) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| n.summary.name == model)
            .or_else(|| (stage < self.nodes.len()).then_some(stage))
    }

    fn end(&mut self, outcome: Outcome) {
        self.outcome = Some(outcome);
        self.ended_at = Some(self.now);
        self.pause_requested = None;
        self.paused = false;
        // The question "stop training?" has been answered by the worker.
        if self.overlay == Overlay::ConfirmQuit {
            self.overlay = Overlay::None;
        }
        if self.quit_sent {
            self.quit = true;
        }
    }

    fn info(&mut self, text: String) {
        self.push_log(LogLevel::Info, text);
    }

    fn warn(&mut self, text: String) {
        self.push_log(LogLevel::Warn, text);
    }

    fn push_log(&mut self, level: LogLevel, text: String) {
        self.log.push(self.now, level, text);
        // Keep a scrolled-back view on the same lines while new ones arrive.
        if self.log_scroll > 0 {
            self.log_scroll = (self.log_scroll + 1).min(self.log.len().saturating_sub(1));
        }
    }
}
