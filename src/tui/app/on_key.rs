//! How keys change the front end's state, and which command they send.

use crate::protocol::Command;

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
        let running = self.is_running();
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
            Key::Enter if running => self.stop.apply().map(Command::SetStopRule),
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
