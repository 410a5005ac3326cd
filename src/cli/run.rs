//! `mkd-tui run PRESET` and `mkd-tui [PRESET]`: train, with the TUI or headless.

use std::io::IsTerminal;
use std::path::Path;

use super::args::RunArgs;
use super::ExitCode;
use crate::headless::{self, HeadlessExit};
use crate::protocol::Command;
use crate::run_dir::{RunDir, RunState, Status};
use crate::session::{self, Plan};
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
            "mkd-tui: `{}` is neither a preset file nor a command (commands: run, check, compare, presets; see --help)",
            args.preset.display()
        );
        return Ok(ExitCode::BadInput);
    }
    let loaded = match crate::preset::load(&args.preset, &args.set) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let plan = Plan::new(&loaded.preset);
    let run_dir = match RunDir::create(
        args.out.as_deref(),
        Path::new("runs"),
        &loaded.preset.name,
        chrono::Utc::now(),
    ) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("mkd-tui: {e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let dir = run_dir.path().to_path_buf();
    let (link, worker) = session::spawn(plan, run_dir)?;
    let headless = args.headless || !std::io::stdout().is_terminal();
    let commands = link.commands.clone();
    let code = if headless {
        let commands = commands.clone();
        let mut interrupts = 0;
        let status = dir.join("status.json");
        // SIGINT, SIGTERM, SIGHUP: stop after the current batch, keeping the run directory
        // consistent (status `aborted`). A second signal leaves at once, still marking the run.
        let _ = ctrlc::set_handler(move || {
            interrupts += 1;
            if interrupts > 1 {
                let detail =
                    Some("killed by a second signal before the current batch ended".into());
                let _ = Status::now(RunState::Aborted, detail).write(&status);
                std::process::exit(130);
            }
            eprintln!("mkd-tui: stopping after the current batch (Ctrl-C again to leave at once)");
            let _ = commands.send(Command::Quit);
        });
        let exit = headless::run(link, &mut std::io::stderr());
        match exit {
            HeadlessExit::Finished => ExitCode::Success,
            HeadlessExit::Aborted => ExitCode::Aborted,
            HeadlessExit::Failed(_) => ExitCode::Failure,
        }
    } else {
        let options = TuiOptions {
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            title: loaded.preset.name.clone(),
        };
        let exit = tui::run(link, options)?;
        let code = match &exit {
            TuiExit::Finished => ExitCode::Success,
            TuiExit::Failed(e) => {
                eprintln!("mkd-tui: run failed: {e}");
                ExitCode::Failure
            }
            TuiExit::Aborted | TuiExit::QuitBeforeEnd => ExitCode::Aborted,
        };
        eprintln!("mkd-tui: run directory {}", dir.display());
        code
    };
    // Normally the worker has sent its last event already. If the front end left early, tell the
    // worker to stop after its current batch, then let it finish writing the run directory.
    if code != ExitCode::Success {
        let _ = commands.send(Command::Quit);
    }
    let _ = worker.join();
    Ok(code)
}
