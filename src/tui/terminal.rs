//! Taking over the terminal and giving it back on every exit path, panics included.

use std::cell::Cell;
use std::io::{self, Stdout};
use std::sync::Once;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::Terminal;

thread_local! {
    /// Set on the thread that owns the terminal while it is in raw mode. The panic hook restores the
    /// terminal only for panics on that thread: a panic on the worker thread is reported through
    /// `RunFailed` and must not tear the screen down under a still-running UI.
    static OWNS_TERMINAL: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Raw mode and the alternate screen for as long as it lives; restored on drop.
pub struct TerminalSession {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalSession {
    /// Enters raw mode and the alternate screen (no mouse capture).
    pub fn start() -> anyhow::Result<Self> {
        install_panic_hook();
        enable_raw_mode()?;
        OWNS_TERMINAL.with(|owns| owns.set(true));
        if let Err(err) = execute!(io::stdout(), EnterAlternateScreen) {
            restore();
            return Err(err.into());
        }
        match Terminal::new(CrosstermBackend::new(io::stdout())) {
            Ok(terminal) => Ok(TerminalSession { terminal }),
            Err(err) => {
                restore();
                Err(err.into())
            }
        }
    }

    /// The terminal to draw on.
    pub fn terminal(&mut self) -> &mut Terminal<CrosstermBackend<Stdout>> {
        &mut self.terminal
    }
}

impl Drop for TerminalSession {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves the alternate screen and raw mode. Safe to call twice (the panic hook and the drop of
/// the session both call it when the UI thread panics); errors are ignored because there is no
/// better terminal to report them on.
fn restore() {
    if OWNS_TERMINAL.with(|owns| owns.replace(false)) {
        let _ = disable_raw_mode();
        let _ = execute!(io::stdout(), LeaveAlternateScreen, Show);
    }
}

/// Chains a hook before the existing one, so the panic message lands on the normal screen.
fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}
