//! Commands from the front end, handled between batches.

use std::ops::ControlFlow;

use crossbeam_channel::{Receiver, TryRecvError};

use super::emitter::Emitter;
use crate::error::Result;
use crate::protocol::{Command, Event, LogLevel};
use crate::stop::StopRule;

/// A "stop KD now" or "resume KD" asked for a model, applied at the next epoch end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManualRequest {
    StopKd { model: String },
    ResumeKd { model: String },
}

/// The worker's end of the command channel, with what was asked but not yet applied.
pub struct Control {
    commands: Receiver<Command>,
    pending_rule: Option<StopRule>,
    pending_manual: Vec<ManualRequest>,
    pending_planner: Option<crate::protocol::PlannerThresholds>,
}

impl Control {
    pub fn new(commands: Receiver<Command>) -> Control {
        Control {
            commands,
            pending_rule: None,
            pending_manual: Vec::new(),
            pending_planner: None,
        }
    }

    /// Handle every waiting command. Blocks while paused. `Break` means quit.
    /// A pause outlives the front end that made it: a TUI whose terminal died leaves the run
    /// paused, to be resumed through the control socket (`mkd-tui attach`, then `p`). Only when
    /// every command sender is gone (no front end and no socket: nobody could ever resume)
    /// does the run resume by itself rather than wait forever.
    ///
    /// Errors: `Paused`/`Resumed` could not be recorded (see [`Emitter::emit`]).
    pub fn poll(&mut self, emitter: &mut Emitter) -> Result<ControlFlow<()>> {
        loop {
            match self.commands.try_recv() {
                Ok(Command::Pause) => {
                    emitter.emit(Event::Paused)?;
                    if self.wait_while_paused(emitter)?.is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                }
                Ok(cmd) => {
                    if self.apply(cmd, emitter)?.is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => {
                    return Ok(ControlFlow::Continue(()))
                }
            }
        }
    }

    fn wait_while_paused(&mut self, emitter: &mut Emitter) -> Result<ControlFlow<()>> {
        loop {
            match self.commands.recv() {
                Ok(Command::Resume) | Err(_) => {
                    emitter.emit(Event::Resumed)?;
                    return Ok(ControlFlow::Continue(()));
                }
                Ok(Command::Pause) => {}
                Ok(cmd) => {
                    if self.apply(cmd, emitter)?.is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                }
            }
        }
    }

    /// Takes a command in. Commands come from the socket too, so none is trusted: a stop rule or
    /// planner thresholds that the preset's validation would refuse are refused here with a
    /// warning naming the field, and change nothing.
    fn apply(&mut self, cmd: Command, emitter: &mut Emitter) -> Result<ControlFlow<()>> {
        match cmd {
            Command::Quit => return Ok(ControlFlow::Break(())),
            Command::SetStopRule(rule) => match rule.validate() {
                Ok(()) => self.pending_rule = Some(rule),
                Err(why) => refuse(emitter, "set_stop_rule", &format!("stop.{why}"))?,
            },
            Command::StopKd { model } => self.pending_manual.push(ManualRequest::StopKd { model }),
            Command::ResumeKd { model } => {
                self.pending_manual.push(ManualRequest::ResumeKd { model })
            }
            Command::SetPlannerThresholds(t) => {
                let problems =
                    crate::planner::check_thresholds(t.max_ratio, t.probe_fraction, t.min_gain);
                match problems.first() {
                    None => self.pending_planner = Some(t),
                    Some((field, message)) => refuse(
                        emitter,
                        "set_planner_thresholds",
                        &format!("planner.{field}: {message}"),
                    )?,
                }
            }
            Command::Pause | Command::Resume => {}
        }
        Ok(ControlFlow::Continue(()))
    }

    /// The rule asked for since the last epoch end, if any; applied by the caller at epoch end.
    pub fn take_pending_rule(&mut self) -> Option<StopRule> {
        self.pending_rule.take()
    }

    /// Planner thresholds asked for since the planner's last decision, if any.
    pub fn take_pending_planner(&mut self) -> Option<crate::protocol::PlannerThresholds> {
        self.pending_planner.take()
    }

    /// Manual stop/resume requests since the last epoch end, oldest first.
    pub fn take_manual(&mut self) -> Vec<ManualRequest> {
        std::mem::take(&mut self.pending_manual)
    }
}

/// A refused command: a warning event saying which command, which field and what was expected.
fn refuse(emitter: &mut Emitter, command: &str, why: &str) -> Result<()> {
    emitter.emit(Event::Log {
        level: LogLevel::Warn,
        message: format!("{command} refused, nothing changed: {why}"),
    })
}
