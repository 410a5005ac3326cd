//! `mkd-tui run PRESET` and `mkd-tui [PRESET]`: train, with the TUI or headless.

use std::io::IsTerminal;
use std::path::Path;
use std::thread::JoinHandle;

use super::args::RunArgs;
use super::ExitCode;
use crate::headless::{self, HeadlessExit};
use crate::protocol::{Command, FrontEndLink};
use crate::run_dir::{RunDir, RunLock, RunState, Status};
use crate::session::{self, Plan};
use crate::signals;
use crate::tui::{self, TuiExit, TuiOptions};

/// Load the preset, create the run directory, start the worker and hand its events to a front end.
pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    if !args.preset.exists() && args.preset == super::args::default_preset() {
        eprintln!(
            "mkd-tui: no preset given and {} does not exist here ({}); run from the project folder \
             or name a preset: mkd-tui run path/to/preset.yaml",
            args.preset.display(),
            std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default()
        );
        return Ok(ExitCode::BadInput);
    }
    if !args.preset.exists()
        && args.preset.extension().is_none()
        && args.preset.components().count() == 1
    {
        eprintln!(
            "mkd-tui: `{}` is neither a preset file nor a command (commands: run, check, compare, resume, stop-replay, ls, attach, presets, bench, export, predict; see --help)",
            args.preset.display()
        );
        return Ok(ExitCode::BadInput);
    }
    let overrides = match super::device::with_device(&args.set, args.device) {
        Ok(o) => o,
        Err(line) => {
            eprintln!("{line}");
            return Ok(ExitCode::BadInput);
        }
    };
    let loaded = match crate::preset::load(&args.preset, &overrides) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let plan = Plan::new(&loaded.preset);
    let made = match (args.prepared, args.out.as_deref()) {
        (true, Some(out)) => RunDir::open(out),
        _ => RunDir::create(
            args.out.as_deref(),
            Path::new("runs"),
            &loaded.preset.name,
            chrono::Utc::now(),
        ),
    };
    let run_dir = match made {
        Ok(d) => d,
        Err(e) => {
            eprintln!("mkd-tui: {e}");
            return Ok(ExitCode::BadInput);
        }
    };
    if args.detach {
        return super::detach::start(args, &run_dir);
    }
    let lock = match RunLock::acquire(run_dir.path()) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("mkd-tui: {e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let (link, worker) = session::spawn(plan, run_dir.clone())?;
    let headless = args.headless || !std::io::stdout().is_terminal();
    drive(link, worker, &run_dir, headless, &loaded.preset.name, lock)
}

/// Serve the control socket, hand the worker's events to a front end until the run ends, and
/// leave the run directory consistent. Shared by `run` and `resume`; `_lock` is held to the end.
pub(super) fn drive(
    link: FrontEndLink,
    worker: JoinHandle<()>,
    run_dir: &RunDir,
    headless: bool,
    title: &str,
    _lock: RunLock,
) -> anyhow::Result<ExitCode> {
    let dir = run_dir.path().to_path_buf();
    let resume_hint = format!("continue with: mkd-tui resume {}", dir.display());
    // SIGHUP (the terminal went away) is not a stop: the run goes on, its lines in run.log.
    // SIGINT, SIGTERM: stop after the current batch; the last per-epoch checkpoint is where
    // `mkd-tui resume` continues (status `interrupted`). A second one leaves at once. Caught from
    // here on, before the control socket exists: a hangup that arrived after a script saw the
    // socket but before the handler was in place killed the run.
    let status = run_dir.status_path();
    let detail = format!("killed by a second signal before the current batch ended; {resume_hint}");
    let signals = signals::listen(move || {
        let _ = Status::now(RunState::Interrupted, Some(detail.clone())).write(&status);
    });
    let _socket = match crate::control_socket::serve(&run_dir.socket_path(), link.commands.clone())
    {
        Ok(s) => Some(s),
        Err(e) => {
            signals::say(&format!("mkd-tui: warning: no control socket, `attach` can watch but not steer this run: {e}"));
            None
        }
    };
    let link = match &_socket {
        Some(server) => tap_progress(link, server.viewers()),
        None => link,
    };
    let commands = link.commands.clone();
    let code = if headless {
        let mut out = super::output::TerminalOrLog::new(run_dir.log_path());
        let exit = headless::run_with_signals(link, &mut out, &[], 0.0, &signals);
        match exit {
            HeadlessExit::Finished => ExitCode::Success,
            HeadlessExit::Aborted => ExitCode::Aborted,
            HeadlessExit::Failed(_) => ExitCode::Failure,
        }
    } else {
        let options = TuiOptions {
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            title: title.to_string(),
            viewer: false,
            back_on_esc: false,
        };
        // SIGTERM, SIGINT (Ctrl-C reaches the UI as a key, so these come from `kill`) reach the UI
        // loop through its input watchdog: it gives the terminal back at once, and the worker is
        // told below to stop after its current batch.
        match tui::run(&link, options) {
            Ok(exit) if !signals::terminal_gone() => {
                let code = match &exit {
                    TuiExit::Finished => {
                        // The outcome where a small terminal's user will see it, after the screen.
                        for line in finished_lines(run_dir) {
                            signals::say(&format!("mkd-tui: {line}"));
                        }
                        ExitCode::Success
                    }
                    TuiExit::Failed(e) => {
                        signals::say(&format!("mkd-tui: run failed: {e}"));
                        ExitCode::Failure
                    }
                    TuiExit::Aborted | TuiExit::QuitBeforeEnd => {
                        signals::say(&format!("mkd-tui: stopped before the end; {resume_hint}"));
                        ExitCode::Aborted
                    }
                };
                signals::say(&format!("mkd-tui: run directory {}", dir.display()));
                code
            }
            // The terminal is gone (SIGHUP) or failed: the training goes on without a screen.
            lost => continue_headless(link, run_dir, lost.err(), &signals),
        }
    };
    // Normally the worker has sent its last event already. If the front end left early, tell the
    // worker to stop after its current batch, then let it finish writing the run directory.
    if code != ExitCode::Success {
        let _ = commands.send(Command::Quit);
    }
    let _ = worker.join();
    if signals::terminate_requested() && code == ExitCode::Aborted {
        let detail = format!("stopped by a signal; {resume_hint}");
        Status::now(RunState::Interrupted, Some(detail)).write(&run_dir.status_path())?;
        signals::say(&format!("mkd-tui: interrupted; {resume_hint}"));
        if signals::hung_up() {
            super::output::append_line(
                &run_dir.log_path(),
                &format!("mkd-tui: interrupted; {resume_hint}"),
            );
        }
    }
    Ok(code)
}

/// What a finished run printed on leaving the screen: the time, the student's distilled-vs-scratch
/// line and the report's path (`report.json` read back; only the path when it cannot be read).
fn finished_lines(run_dir: &RunDir) -> Vec<String> {
    let md = run_dir.report_md_path();
    let report: Option<crate::run_dir::Report> = std::fs::read(run_dir.report_json_path())
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let Some(report) = report else {
        return vec![format!("report: {}", md.display())];
    };
    let student = report.student().map(|c| {
        format!(
            "{}: distilled {:.2}% vs scratch {:.2}% test accuracy at best validation epoch ({:+.2} pp)",
            c.model, c.kd_test_acc, c.scratch_test_acc, c.delta_pp
        )
    });
    crate::describe::log::run_finished(report.wall_seconds, student.as_deref(), &md).to_vec()
}

/// The rest of a TUI run whose terminal went away: its events go to `run.log` in the run
/// directory, one line each as headless, until the run ends. Nothing is written to the dead
/// terminal (a write there could fail and `eprintln!` would panic on it).
fn continue_headless(
    link: FrontEndLink,
    run_dir: &RunDir,
    error: Option<anyhow::Error>,
    signals: &crossbeam_channel::Receiver<signals::Signal>,
) -> ExitCode {
    use std::io::Write as _;
    let log_path = run_dir.log_path();
    let mut log: Box<dyn std::io::Write> = match std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
    {
        Ok(f) => Box::new(f),
        Err(_) => Box::new(std::io::sink()),
    };
    let why = match (signals::hung_up(), error) {
        (true, _) => "the terminal hung up (SIGHUP)".to_string(),
        (false, Some(e)) => format!("the terminal failed ({e:#})"),
        (false, None) => "the terminal went away".to_string(),
    };
    // The screen consumed the events so far: prime the lines (epochs per stage, the plan) from
    // events.jsonl and keep counting time from the run's start.
    let history = crate::run_dir::history::recorded_events(run_dir.path());
    let _ = writeln!(log, "mkd-tui: {why}; training goes on without a screen");
    let paused = history.iter().rev().find_map(|e| match e {
        crate::protocol::Event::Paused => Some(true),
        crate::protocol::Event::Resumed => Some(false),
        _ => None,
    });
    if paused == Some(true) {
        // A pause stays a pause: the control socket still serves, so someone can come back to it.
        let _ = writeln!(
            log,
            "mkd-tui: the run is paused and stays paused; resume it with: mkd-tui attach {}, then p",
            run_dir.path().display()
        );
    }
    let age = crate::run_dir::history::seconds_since(
        crate::run_dir::history::started_at(&history),
        chrono::Utc::now(),
    );
    match headless::run_with_signals(link, &mut log, &history, age, signals) {
        HeadlessExit::Finished => ExitCode::Success,
        HeadlessExit::Aborted => ExitCode::Aborted,
        HeadlessExit::Failed(_) => ExitCode::Failure,
    }
}

/// The same link, with every progress event also sent to the socket's viewers. The copy runs on
/// its own thread and passes events on with `try_send`, so neither a slow viewer nor a slow
/// screen ever slows the worker.
pub(super) fn tap_progress(
    link: FrontEndLink,
    viewers: crate::control_socket::Viewers,
) -> FrontEndLink {
    let (tx, rx) = crossbeam_channel::bounded(64);
    let source = link.progress;
    let _ = std::thread::Builder::new()
        .name("mkd-progress".into())
        .spawn(move || {
            for event in source {
                viewers.send(&event);
                let _ = tx.try_send(event);
            }
        });
    FrontEndLink {
        lifecycle: link.lifecycle,
        progress: rx,
        commands: link.commands,
    }
}
