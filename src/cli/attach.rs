//! `mkd-tui attach [RUN_DIR]`: the terminal UI over a run in another process.

use std::io::{BufRead as _, BufReader, IsTerminal, Write as _};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use crossbeam_channel::{bounded, unbounded};

use super::ExitCode;
use crate::control_socket::{follow_events, send_command, FollowEnd};
use crate::protocol::{Command, Event, FrontEndLink, LogLevel};
use crate::run_dir::{RunState, Status};
use crate::tui::{self, TuiOptions};

/// Replay the run's `events.jsonl` into the same [`App`](crate::tui::App) an in-process run uses,
/// follow new events, and send the keys' commands through the run's `control.sock`. `q` leaves
/// the viewer; the run goes on. Without a terminal, print the headless lines instead (a log
/// follower for scripts). Default run: the newest under `runs`.
pub fn attach(run_dir: Option<&Path>, runs: &Path) -> anyhow::Result<ExitCode> {
    let dir = match run_dir {
        Some(d) => d.to_path_buf(),
        None => match newest(runs) {
            Some(d) => d,
            None => {
                eprintln!("mkd-tui: no runs under {} to attach to", runs.display());
                return Ok(ExitCode::BadInput);
            }
        },
    };
    if crate::compare::is_comparison(&dir) {
        return super::compare_view::attach(&dir);
    }
    let status_file = dir.join("status.json");
    let link = match follow(&dir) {
        Ok(link) => link,
        Err(message) => {
            eprintln!("mkd-tui: {message}");
            return Ok(ExitCode::BadInput);
        }
    };
    let age = crate::run_dir::history::run_age(&dir);
    if !std::io::stdout().is_terminal() {
        let exit = crate::headless::run_from(link, &mut std::io::stderr(), &[], age);
        return Ok(run_exit_code(&exit, &status_file));
    }
    let exit = tui::run_with_clock(
        &link,
        viewer_options(&dir, false),
        std::time::Duration::from_secs_f64(age),
    )?;
    eprintln!("mkd-tui: {}", farewell(&exit, &dir));
    // Leaving the viewer while the run goes on is a success; a run seen to end gives its own code.
    Ok(match exit {
        tui::TuiExit::Finished | tui::TuiExit::QuitBeforeEnd => ExitCode::Success,
        tui::TuiExit::Failed(_) => ExitCode::Failure,
        tui::TuiExit::Aborted => ExitCode::Aborted,
    })
}

/// Replay `dir`'s events and follow new ones; the commands of the returned link go to the run's
/// `control.sock`, and batch progress comes back on it.
///
/// Errors, as a message for the user: `dir` is not a run directory.
fn follow(dir: &Path) -> Result<FrontEndLink, String> {
    let events = dir.join("events.jsonl");
    let status_path = dir.join("status.json");
    if !events.is_file() || !status_path.is_file() {
        return Err(format!(
            "{}: not a run directory (expected events.jsonl and status.json)",
            dir.display()
        ));
    }
    let (lifecycle_tx, lifecycle_rx) = unbounded();
    let (progress_tx, progress_rx) = bounded(64);
    let (command_tx, command_rx) = unbounded::<Command>();
    let follower_tx = lifecycle_tx.clone();
    let gone_dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let alive = || {
            Status::read(&status_path)
                .is_ok_and(|s| s.effective_state(&gone_dir) == RunState::Running)
        };
        if let Ok(FollowEnd::ProcessGone) = follow_events(&events, &follower_tx, &alive) {
            let _ = follower_tx.send(Event::Log {
                level: LogLevel::Warn,
                message: format!(
                    "the run's process has ended without finishing; continue it with: mkd-tui resume {}",
                    gone_dir.display()
                ),
            });
        }
    });
    let socket = dir.join("control.sock");
    // One connection for the viewer's life: commands go out on it, batch progress comes back.
    let mut connection = UnixStream::connect(&socket).ok();
    if let Some(reader) = connection.as_ref().and_then(|c| c.try_clone().ok()) {
        std::thread::spawn(move || {
            for line in BufReader::new(reader).lines() {
                let Ok(line) = line else { return };
                if let Ok(event @ Event::BatchProgress { .. }) = serde_json::from_str(&line) {
                    let _ = progress_tx.try_send(event);
                }
            }
        });
    }
    std::thread::spawn(move || {
        for command in command_rx {
            let sent = match connection.as_mut() {
                Some(c) => writeln!(
                    c,
                    "{}",
                    serde_json::to_string(&command).expect("serialises")
                ),
                None => send_command(&socket, &command),
            };
            if let Err(e) = sent {
                let _ = lifecycle_tx.send(Event::Log {
                    level: LogLevel::Warn,
                    message: format!("could not send {command:?} to the run: {e}"),
                });
            }
        }
    });
    Ok(FrontEndLink {
        lifecycle: lifecycle_rx,
        progress: progress_rx,
        commands: command_tx,
    })
}

/// The usual screen over the run in `dir`, as a viewer (`q` leaves, the run goes on), opened from
/// the comparison's screen: Esc goes back too. What the viewer saw is said on the comparison's
/// screen, not printed.
///
/// Errors: `dir` is not a run directory, or the terminal failed.
pub fn open_viewer(dir: &Path) -> anyhow::Result<tui::TuiExit> {
    let link = follow(dir).map_err(anyhow::Error::msg)?;
    let age = crate::run_dir::history::run_age(dir);
    tui::run_with_clock(
        &link,
        viewer_options(dir, true),
        std::time::Duration::from_secs_f64(age),
    )
}

/// A viewer's options: titled by the run's folder name, colours unless `NO_COLOR`.
fn viewer_options(dir: &Path, back_on_esc: bool) -> TuiOptions {
    TuiOptions {
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        title: dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        viewer: true,
        back_on_esc,
    }
}

/// The exit code of a viewer without a terminal: the run's own (0 finished, 1 failed, 130 stopped
/// or interrupted). The follower ends without a last event when the run's process died or was
/// stopped by a signal: `status.json` then says which.
fn run_exit_code(exit: &crate::headless::HeadlessExit, status: &Path) -> ExitCode {
    use crate::headless::HeadlessExit;
    match exit {
        HeadlessExit::Finished => ExitCode::Success,
        HeadlessExit::Aborted => ExitCode::Aborted,
        HeadlessExit::Failed(_) => match Status::read(status)
            .map(|s| s.effective_state(status.parent().unwrap_or(Path::new("."))))
        {
            Ok(RunState::Interrupted | RunState::Aborted) => ExitCode::Aborted,
            _ => ExitCode::Failure,
        },
    }
}

/// The run under `runs` started (or resumed) last: newest `preset.yaml`.
fn newest(runs: &Path) -> Option<PathBuf> {
    super::ls::run_dirs(runs).into_iter().max_by_key(|d| {
        std::fs::metadata(d.join("preset.yaml"))
            .and_then(|m| m.modified())
            .ok()
    })
}

/// What the viewer says on leaving: the run's state as the viewer last saw it, and a warning when
/// the viewer leaves it paused (nobody else may be watching to resume it).
fn farewell(exit: &tui::TuiExit, dir: &Path) -> String {
    match exit {
        tui::TuiExit::Finished => format!(
            "left the viewer; the run has finished (report: {})",
            dir.join("report.md").display()
        ),
        tui::TuiExit::Aborted => format!(
            "left the viewer; the run was stopped (continue it with: mkd-tui resume {})",
            dir.display()
        ),
        tui::TuiExit::Failed(e) => format!("left the viewer; the run failed: {e}"),
        tui::TuiExit::QuitBeforeEnd if left_paused(dir) => format!(
            "left the viewer; the run in {} is PAUSED and waits (attach and press p to resume it)",
            dir.display()
        ),
        tui::TuiExit::QuitBeforeEnd => {
            format!("left the viewer; the run goes on in {}", dir.display())
        }
    }
}

/// Whether the last pause/resume event of the run is a pause.
fn left_paused(dir: &Path) -> bool {
    crate::run_dir::history::recorded_events(dir)
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::Paused => Some(true),
            Event::Resumed => Some(false),
            _ => None,
        })
        .unwrap_or(false)
}
