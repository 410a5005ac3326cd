//! The comparison's screen: `mkd-tui compare` in a terminal, and `mkd-tui attach` on a comparison
//! folder. It reads the comparison's folder (see [`crate::compare::progress`]) twice a second and
//! draws a table of strategies × seeds; Enter opens the selected run's usual screen (a viewer of
//! that run), whose Esc or q comes back here.

pub mod state;
mod view;

use std::path::Path;
use std::time::Duration;

use crossbeam_channel::{select, tick, Receiver};
use ratatui::backend::Backend;
use ratatui::Terminal;

pub use state::{Action, CompareScreen, Role};
pub use view::view;

use super::event_loop::Input;
use crate::compare::ComparisonProgress;

/// How often the folder is read again (and the clock redrawn).
pub const REFRESH: Duration = Duration::from_millis(500);

/// Why [`run_loop`] returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// The user left (or, for a viewer, a signal asked the program to stop).
    Quit,
    /// The user asked for this run's screen.
    Open(std::path::PathBuf),
}

/// What the loop needs from whoever runs the comparison.
pub struct Hooks<'a> {
    /// A fresh reading of the comparison's folder.
    pub read: &'a dyn Fn() -> Result<ComparisonProgress, String>,
    /// Whether the comparison in this process has ended (owner only).
    pub ended: &'a dyn Fn() -> bool,
    /// Stop the comparison (owner only): its running run stops after the current batch.
    pub stop: &'a dyn Fn(),
    /// Seconds to show in the title.
    pub clock: &'a dyn Fn() -> f64,
}

/// Runs until the user leaves or opens a run. Generic over the backend, so tests drive it on a
/// `TestBackend` with scripted keys.
///
/// Errors: drawing failed, or the terminal went away (`Input::Failed`).
pub fn run_loop<B>(
    terminal: &mut Terminal<B>,
    input: &Receiver<Input>,
    screen: &mut CompareScreen,
    hooks: &Hooks,
    refresh: Duration,
) -> anyhow::Result<Exit>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    let ticker = tick(refresh);
    loop {
        if let Ok(p) = (hooks.read)() {
            screen.refresh(p);
        }
        screen.ended = (hooks.ended)();
        screen.tick((hooks.clock)());
        terminal.draw(|frame| view(screen, frame))?;
        select! {
            recv(input) -> msg => match msg {
                Ok(Input::Key(key)) => match screen.on_key(key) {
                    Action::None => {}
                    Action::Quit => return Ok(Exit::Quit),
                    Action::StopComparison => (hooks.stop)(),
                    Action::Open(dir) => return Ok(Exit::Open(dir)),
                },
                Ok(Input::Resize) => terminal.clear()?,
                // SIGINT/SIGTERM: a viewer leaves; the owner's comparison got the same signal and
                // stops its run, and the table shows it stopping.
                Ok(Input::Terminate) => match screen.role {
                    Role::Viewer => return Ok(Exit::Quit),
                    Role::Owner => screen.stopping = true,
                },
                Ok(Input::Failed(e)) => anyhow::bail!("the terminal: {e}"),
                Err(_) => anyhow::bail!("the terminal: input closed"),
            },
            recv(ticker) -> _ => {}
        }
    }
}

/// The screen on the real terminal until the user leaves; `open` shows one run's screen (it takes
/// the terminal over itself, so this screen gives it back first and takes it again after).
///
/// Errors: the terminal could not be taken or went away; `open` failed.
pub fn run(
    folder: &Path,
    role: Role,
    hooks: &Hooks,
    open: &mut dyn FnMut(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let first = ComparisonProgress::read(folder).map_err(anyhow::Error::msg)?;
    let mut screen = CompareScreen::new(role, first);
    loop {
        let mut session = super::terminal::TerminalSession::start()?;
        let input = super::input::InputThread::spawn();
        let exit = run_loop(
            session.terminal(),
            input.events(),
            &mut screen,
            hooks,
            REFRESH,
        );
        drop(input);
        drop(session);
        match exit? {
            Exit::Quit => return Ok(()),
            Exit::Open(dir) => open(&dir)?,
        }
    }
}
