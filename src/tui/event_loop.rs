//! The UI loop: waits on the worker's channels, the keyboard and a ticker, updates the [`App`] and
//! redraws. Generic over the backend, so tests drive it on a `TestBackend` with scripted channels.

use std::time::Duration;

use crossbeam_channel::{never, select, tick, Receiver, TryRecvError};
use ratatui::backend::Backend;
use ratatui::Terminal;

use super::app::App;
use super::keys::Key;
use super::view::view;
use crate::protocol::{Event, FrontEndLink};

/// Messages folded in before one redraw; bounds the time between frames under a flood.
const MAX_BATCH: usize = 4096;

/// What the input thread reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A key press.
    Key(Key),
    /// The terminal changed size; the next draw picks the new size up.
    Resize,
    /// Reading the terminal failed; the loop ends with this error.
    Failed(String),
    /// A signal (SIGTERM, SIGINT) asked the program to stop: the loop ends, no confirmation.
    Terminate,
}

/// The channels the loop listens to; a closed one is swapped for `never()` so `select!` does not
/// spin on it.
struct Sources {
    lifecycle: Receiver<Event>,
    progress: Receiver<Event>,
    input: Receiver<Input>,
    /// Clear the screen before the next draw (something may have written over it).
    full_redraw: bool,
}

/// Runs until the app wants to quit. `clock` says how long the front end has been running.
pub fn run_loop<B>(
    terminal: &mut Terminal<B>,
    link: &FrontEndLink,
    input: &Receiver<Input>,
    app: &mut App,
    clock: &dyn Fn() -> Duration,
    tick_every: Duration,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    let ticker = tick(tick_every);
    let mut sources = Sources {
        lifecycle: link.lifecycle.clone(),
        progress: link.progress.clone(),
        input: input.clone(),
        full_redraw: false,
    };
    app.tick(clock());
    terminal.draw(|frame| view(app, frame))?;
    while !app.should_quit() {
        app.tick(clock());
        select! {
            recv(sources.lifecycle) -> msg => on_lifecycle(&mut sources, app, msg.ok()),
            recv(sources.progress) -> msg => on_progress(&mut sources, app, msg.ok()),
            recv(sources.input) -> msg => {
                drain_worker(&mut sources, app);
                on_input(&mut sources, app, link, msg.ok())?;
            }
            recv(ticker) -> _ => {}
        }
        // Fold in everything already waiting before drawing, so a burst costs one frame. Worker
        // news goes before each key, so a key acts on the latest state (q after the end quits).
        loop {
            drain_worker(&mut sources, app);
            if app.should_quit() {
                break;
            }
            match poll(&sources.input) {
                Some(msg) => on_input(&mut sources, app, link, msg)?,
                None => break,
            }
        }
        if app.should_quit() {
            break;
        }
        app.tick(clock());
        if std::mem::take(&mut sources.full_redraw) {
            terminal.clear()?;
        }
        terminal.draw(|frame| view(app, frame))?;
    }
    Ok(())
}

/// Folds in waiting worker events, at most [`MAX_BATCH`] so the screen still updates under a flood.
fn drain_worker(sources: &mut Sources, app: &mut App) {
    for _ in 0..MAX_BATCH {
        if app.should_quit() {
            return;
        }
        let mut busy = false;
        if let Some(msg) = poll(&sources.lifecycle) {
            busy = true;
            on_lifecycle(sources, app, msg);
        }
        if let Some(msg) = poll(&sources.progress) {
            busy = true;
            on_progress(sources, app, msg);
        }
        if !busy {
            return;
        }
    }
}

/// `None` when nothing is waiting, `Some(None)` when the channel closed, else the message.
fn poll<T>(rx: &Receiver<T>) -> Option<Option<T>> {
    match rx.try_recv() {
        Ok(msg) => Some(Some(msg)),
        Err(TryRecvError::Disconnected) => Some(None),
        Err(TryRecvError::Empty) => None,
    }
}

fn on_lifecycle(sources: &mut Sources, app: &mut App, msg: Option<Event>) {
    match msg {
        Some(event) => {
            // A worker panic prints its message over the screen before `RunFailed` arrives.
            if matches!(event, Event::RunFailed { .. }) {
                sources.full_redraw = true;
            }
            app.on_event(&event);
        }
        None => {
            sources.lifecycle = never();
            sources.full_redraw = true;
            app.on_disconnected();
        }
    }
}

fn on_progress(sources: &mut Sources, app: &mut App, msg: Option<Event>) {
    match msg {
        Some(event) => app.on_event(&event),
        // Progress ends with the worker; the lifecycle channel reports how.
        None => sources.progress = never(),
    }
}

fn on_input(
    sources: &mut Sources,
    app: &mut App,
    link: &FrontEndLink,
    msg: Option<Input>,
) -> anyhow::Result<()> {
    match msg {
        Some(Input::Key(key)) => {
            if let Some(command) = app.on_key(key) {
                if link.commands.send(command.clone()).is_err() {
                    app.on_send_failed(&command);
                }
            }
            Ok(())
        }
        Some(Input::Resize) => Ok(()),
        Some(Input::Terminate) => {
            app.on_terminate();
            Ok(())
        }
        Some(Input::Failed(err)) => anyhow::bail!("reading the terminal failed: {err}"),
        None => {
            sources.input = never();
            anyhow::bail!("the terminal input thread stopped")
        }
    }
}
