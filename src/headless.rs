//! The headless front end: one readable line per epoch (and per lifecycle event) on stderr.
//!
//! Used with `--headless` and whenever stdout is not a terminal. It reads the same events as the
//! TUI; what it prints is for people, `events.jsonl` is for programs. The words are the engine's
//! ([`crate::describe::Transcript`]), the same the TUI log and the report are made of.

use std::io::Write;
use std::time::Instant;

use crossbeam_channel::{never, select, Receiver};

use crate::describe::Transcript;
use crate::protocol::{Command, Event, FrontEndLink};
use crate::signals::Signal;

/// How a headless run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum HeadlessExit {
    /// `RunFinished`.
    Finished,
    /// `RunAborted`: stopped by the user or a signal.
    Aborted,
    /// `RunFailed`, or the worker vanished: what went wrong.
    Failed(String),
}

/// Print the run's progress to `out` until the worker's last event.
pub fn run(link: FrontEndLink, out: &mut dyn Write) -> HeadlessExit {
    run_from(link, out, &[], 0.0)
}

/// [`run`] for a front end that joins late: `history` (events already seen elsewhere, e.g. read
/// from `events.jsonl`) primes what later lines need without being printed, and times are
/// counted from `offset` seconds, the run's age when this front end started.
pub fn run_from(
    link: FrontEndLink,
    out: &mut dyn Write,
    history: &[Event],
    offset: f64,
) -> HeadlessExit {
    run_with_signals(link, out, history, offset, &never())
}

/// [`run_from`] that also takes the process's signals ([`crate::signals::listen`]): on
/// [`Signal::Terminate`] it says so on `out` and asks the worker to stop after the current batch
/// (the run ends `RunAborted`). A hangup changes nothing here: `out` knows where lines go.
pub fn run_with_signals(
    link: FrontEndLink,
    out: &mut dyn Write,
    history: &[Event],
    offset: f64,
    signals: &Receiver<Signal>,
) -> HeadlessExit {
    let mut signals = signals.clone();
    let started = Instant::now();
    let mut transcript = Transcript::default();
    for event in history {
        let _ = transcript.line(event, offset);
    }
    loop {
        let next = select! {
            recv(link.lifecycle) -> event => event,
            recv(signals) -> signal => {
                match signal {
                    Ok(Signal::Terminate) => {
                        let _ = writeln!(
                            out,
                            "mkd-tui: stopping after the current batch (Ctrl-C again to leave at once)"
                        );
                        let _ = out.flush();
                        let _ = link.commands.send(Command::Quit);
                    }
                    Ok(Signal::HangUp) => {}
                    Err(_) => signals = never(),
                }
                continue;
            }
        };
        let Ok(event) = next else {
            let _ = writeln!(
                out,
                "error: the training worker stopped without a final event"
            );
            return HeadlessExit::Failed("worker stopped unexpectedly".into());
        };
        // Progress is for screens; drop what queued up so the bounded channel never fills.
        while link.progress.try_recv().is_ok() {}
        if let Some(line) = transcript.line(&event, offset + started.elapsed().as_secs_f64()) {
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
        match event {
            Event::RunFinished { .. } => return HeadlessExit::Finished,
            Event::RunAborted { .. } => return HeadlessExit::Aborted,
            Event::RunFailed { error } => return HeadlessExit::Failed(error),
            _ => {}
        }
    }
}
