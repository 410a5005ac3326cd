//! How keys change the front end's state, and which command they send.

use crate::protocol::{Command, Role};

use super::super::nodes::KdRequest;
use super::*;

impl App {
    // ---- keys ---------------------------------------------------------------------------------

    /// Handles a key; returns the command to send to the worker, if any.
    pub fn on_key(&mut self, key: Key) -> Option<Command> {
        match self.overlay {
            Overlay::ConfirmQuit => return self.on_quit_dialog_key(key),
            Overlay::Help => match key {
                Key::Esc | Key::Char('?') => {
                    self.overlay = Overlay::None;
                    return None;
                }
                // Quitting works from the help screen too.
                Key::Char('q') | Key::CtrlC => self.overlay = Overlay::None,
                _ => return None,
            },
            Overlay::None => {}
        }
        if let Some(command) = self.on_planner_key(key) {
            return command;
        }
        let running = self.is_running();
        if self.options.viewer {
            // A viewer leaves without touching the run; stopping the run is X, confirmed.
            match key {
                Key::Char('q') | Key::CtrlC => {
                    self.quit = true;
                    return None;
                }
                // Opened from the comparison's screen: Esc goes back, unless it has the result
                // box to hide (then q goes back).
                Key::Esc if self.options.back_on_esc && self.outcome.is_none() => {
                    self.quit = true;
                    return None;
                }
                Key::Char('X') if running => return self.request_quit(Key::Char('q')),
                _ => {}
            }
        }
        match key {
            Key::Char('q') | Key::CtrlC => self.request_quit(key),
            Key::Char('?') => {
                self.overlay = Overlay::Help;
                None
            }
            Key::Esc => {
                if self.outcome.is_some() {
                    self.result_hidden = !self.result_hidden;
                }
                None
            }
            Key::Char('p') if running => {
                let pause = !self.pause_requested.unwrap_or(self.paused);
                self.pause_requested = Some(pause);
                Some(if pause {
                    Command::Pause
                } else {
                    Command::Resume
                })
            }
            Key::Char('p') => {
                let why = self.why_not_running();
                self.warn(format!("p: {why}: nothing to pause or resume"));
                None
            }
            Key::Char('s') => self.stop_kd(),
            Key::Char('r') => self.resume_kd(),
            Key::Up => {
                self.stop.select(-1);
                None
            }
            Key::Down => {
                self.stop.select(1);
                None
            }
            Key::Left | Key::Right if running => {
                self.stop.adjust(if key == Key::Left { -1 } else { 1 });
                None
            }
            Key::Enter if running => {
                let rule = self.stop.apply();
                if rule.is_none() {
                    let why = if self.stop.applied().is_none() {
                        "the worker has not said which rule is in force yet"
                    } else {
                        "the stop rule is unchanged"
                    };
                    self.warn(format!("enter: {why}: nothing to apply"));
                }
                rule.map(Command::SetStopRule)
            }
            Key::Left | Key::Right | Key::Enter => {
                let why = self.why_not_running();
                self.warn(format!(
                    "{}: {why}: the stop rule can no longer change",
                    key_name(key)
                ));
                None
            }
            Key::Tab | Key::BackTab => {
                self.cycle_chart(if key == Key::Tab { 1 } else { -1 });
                None
            }
            Key::PageUp => {
                self.scroll_log(LOG_PAGE as isize);
                None
            }
            Key::PageDown => {
                self.scroll_log(-(LOG_PAGE as isize));
                None
            }
            Key::Home => {
                self.log_scroll = self.log.len().saturating_sub(1);
                None
            }
            Key::End => {
                self.log_scroll = 0;
                None
            }
            _ => None,
        }
    }

    /// `s`: stop distilling the model being trained, at the end of the epoch in progress.
    fn stop_kd(&mut self) -> Option<Command> {
        let i = match self.kd_target("stop") {
            Ok(i) => i,
            Err(why) => {
                self.warn(format!("s: {why}"));
                return None;
            }
        };
        let node = &self.nodes[i];
        let name = node.summary.name.clone();
        let epoch = node.epoch_in_progress();
        let why_not = match (node.kd_request, node.kd_stop()) {
            (Some(KdRequest::Stop { epoch }), _) => Some(format!(
                "already asked: distillation of {name} stops at the end of epoch {epoch}"
            )),
            (Some(KdRequest::Resume { .. }), _) => Some(format!(
                "a resume of {name} is pending; wait for it to take effect"
            )),
            (None, Some(stop)) => Some(format!(
                "distillation of {name} is already stopped (since epoch {}); r resumes it",
                stop.epoch
            )),
            (None, None) => None,
        };
        if let Some(why) = why_not {
            self.warn(format!("s: {why}"));
            return None;
        }
        self.nodes[i].kd_request = Some(KdRequest::Stop { epoch });
        self.info(format!(
            "asked to stop distilling {name} at the end of epoch {epoch}"
        ));
        Some(Command::StopKd { model: name })
    }

    /// `r`: resume distilling the model being trained after a stop, from the next epoch on.
    fn resume_kd(&mut self) -> Option<Command> {
        let i = match self.kd_target("resume") {
            Ok(i) => i,
            Err(why) => {
                self.warn(format!("r: {why}"));
                return None;
            }
        };
        let node = &self.nodes[i];
        let name = node.summary.name.clone();
        let epoch = node.epoch_in_progress();
        let why_not = match (node.kd_request, node.kd_stop()) {
            (Some(KdRequest::Resume { epoch }), _) => Some(format!(
                "already asked: distillation of {name} resumes at the end of epoch {epoch}"
            )),
            (Some(KdRequest::Stop { .. }), _) => Some(format!(
                "the stop of {name} asked for has not taken effect yet"
            )),
            (None, None) => Some(format!("distillation of {name} is on; s stops it")),
            (None, Some(_)) => None,
        };
        if let Some(why) = why_not {
            self.warn(format!("r: {why}"));
            return None;
        }
        self.nodes[i].kd_request = Some(KdRequest::Resume { epoch });
        self.info(format!(
            "asked to resume distilling {name} at the end of epoch {epoch}"
        ));
        Some(Command::ResumeKd { model: name })
    }

    /// The node of the stage being trained, if `s`/`r` can act on it at all; else why not.
    fn kd_target(&self, what: &str) -> Result<usize, String> {
        if self.outcome.is_some() {
            return Err("the run is over".into());
        }
        if self.quit_sent {
            return Err("the run is stopping".into());
        }
        let Some(i) = self.current else {
            return Err(format!("no stage has started yet: nothing to {what}"));
        };
        let node = &self.nodes[i];
        let name = &node.summary.name;
        if node.is_loaded() {
            return Err(format!("{name} has loaded weights: it is not trained"));
        }
        if node.summary.role == Role::Teacher {
            return Err(format!(
                "the teacher is trained from labels; there is no distillation to {what}"
            ));
        }
        if !node.is_distilled() {
            return Err(format!(
                "{name} is trained from labels only; there is no distillation to {what}"
            ));
        }
        if node.stage_ended() {
            return Err(format!(
                "the stage of {name} is over: nothing to {what} until the next one starts"
            ));
        }
        Ok(i)
    }

    /// Why the run takes no more commands: over, or stopping (only asked when it is not running).
    fn why_not_running(&self) -> &'static str {
        if self.outcome.is_some() {
            "the run is over"
        } else {
            "the run is stopping"
        }
    }

    fn request_quit(&mut self, key: Key) -> Option<Command> {
        if self.outcome.is_some() {
            self.quit = true;
        } else if self.quit_sent {
            // The worker has not answered yet; a further Ctrl-C leaves without waiting.
            if key == Key::CtrlC {
                self.quit = true;
            }
        } else {
            self.overlay = Overlay::ConfirmQuit;
        }
        None
    }

    fn on_quit_dialog_key(&mut self, key: Key) -> Option<Command> {
        match key {
            Key::Char('y') | Key::Char('Y') | Key::CtrlC => {
                self.overlay = Overlay::None;
                self.quit_sent = true;
                self.info("stopping: waiting for the worker to end the run".into());
                Some(Command::Quit)
            }
            Key::Char('n') | Key::Char('N') | Key::Esc => {
                self.overlay = Overlay::None;
                None
            }
            _ => None,
        }
    }

    fn cycle_chart(&mut self, step: isize) {
        let n = self.nodes.len();
        if n == 0 {
            return;
        }
        let shown = self.chart_stage().unwrap_or(0) as isize;
        let next = (shown + step).rem_euclid(n as isize) as usize;
        // Landing on the current stage goes back to following it.
        self.chart_choice = (Some(next) != self.current).then_some(next);
    }

    fn scroll_log(&mut self, step: isize) {
        let max = self.log.len().saturating_sub(1) as isize;
        self.log_scroll = (self.log_scroll as isize + step).clamp(0, max) as usize;
    }
}

/// How the log names a key that has no character of its own.
fn key_name(key: Key) -> &'static str {
    match key {
        Key::Left => "←",
        Key::Right => "→",
        Key::Enter => "enter",
        _ => "key",
    }
}
