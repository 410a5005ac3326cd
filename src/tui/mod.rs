//! The terminal front end: an Elm-style [`App`] fed by the worker's events and the keyboard, drawn by
//! [`view::view`], driven by [`run`].
//!
//! `App` is pure state (no terminal, no clock, no channels), so almost everything here is testable
//! without a terminal; `run` only wires the terminal, the input thread and the channels to it.

#![warn(missing_docs)]

mod app;
pub mod compare_screen;
mod eta;
mod event_loop;
mod format;
mod input;
mod keys;
mod log;
mod nodes;
mod stop_editor;
mod terminal;
pub mod view;

pub use app::{App, Outcome, Overlay};
pub use event_loop::{run_loop, Input};
pub use keys::Key;
pub use log::{LogLine, LOG_CAPACITY};
pub use nodes::{BatchState, KdChange, KdRequest, KdStop, NodeState, NodeStatus};
pub use stop_editor::{StopEditor, StopRow};

use std::time::{Duration, Instant};

use crate::protocol::FrontEndLink;

/// How the front end should look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TuiOptions {
    /// `NO_COLOR` is set: draw without any colour (state is always shown by words and markers too).
    pub no_color: bool,
    /// Preset name, shown in the header until the worker's `RunStarted` names it.
    pub title: String,
    /// A viewer of a run in another process (`mkd-tui attach`): `q` leaves the viewer and the run
    /// goes on; `X` stops the run (after a confirmation).
    pub viewer: bool,
    /// A viewer opened from the comparison's screen: Esc (as well as q) goes back to it.
    pub back_on_esc: bool,
}

/// How the front end ended; `main` maps it to an exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TuiExit {
    /// The run finished (`RunFinished`) and the user left.
    Finished,
    /// The run was aborted (`RunAborted`), normally after the user confirmed quitting.
    Aborted,
    /// The run failed (`RunFailed`), or the worker vanished without saying why.
    Failed(String),
    /// The user left before the worker confirmed the end (the worker was gone or did not answer).
    QuitBeforeEnd,
}

/// Redraw at least this often so the clock in the header moves.
const TICK: Duration = Duration::from_millis(250);

/// Runs the terminal front end until the user leaves.
///
/// Takes over the terminal (alternate screen, raw mode, no mouse capture so copying over SSH keeps
/// working) and gives it back on every path: normal exit, error, and panic (a panic hook restores
/// the terminal before the panic message is printed).
pub fn run(link: &FrontEndLink, options: TuiOptions) -> anyhow::Result<TuiExit> {
    run_with_clock(link, options, Duration::ZERO)
}

/// [`run`] for a viewer that joins a run late: the header's clock starts at `age`, the run's age
/// when the viewer opens, so it shows the run's elapsed time, not the viewer's.
pub fn run_with_clock(
    link: &FrontEndLink,
    options: TuiOptions,
    age: Duration,
) -> anyhow::Result<TuiExit> {
    let mut session = terminal::TerminalSession::start()?;
    let input = input::InputThread::spawn();
    let mut app = App::new(options);
    let started = Instant::now();
    let result = run_loop(
        session.terminal(),
        link,
        input.events(),
        &mut app,
        &|| age + started.elapsed(),
        TICK,
    );
    if crate::signals::terminal_gone() {
        crate::signals::detach_stdio();
    }
    // Stop reading stdin before the terminal leaves raw mode.
    drop(input);
    drop(session);
    result.map(|()| app.exit())
}
