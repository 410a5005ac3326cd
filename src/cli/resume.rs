//! `mkd-tui resume RUN_DIR`: continue an interrupted run from its last checkpoint.

use std::io::IsTerminal;

use super::args::ResumeArgs;
use super::ExitCode;
use crate::run_dir::{RunDir, RunLock, RunState, Status};
use crate::session::{self, resume, Plan};

/// Rebuild the plan from the run's `preset.yaml`, skip the finished stages, and continue the
/// interrupted stage after its last intact checkpoint (a corrupt newest one is skipped with a
/// warning naming the file). Without any checkpoint the run starts again from its beginning in the
/// same directory. Refused (exit 2) for a finished run, a run another process is writing, or a
/// folder that is not a run directory.
pub fn resume(args: &ResumeArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.run_dir;
    let status_path = dir.join("status.json");
    let preset_path = dir.join("preset.yaml");
    if !dir.exists() {
        eprintln!("mkd-tui: {}: no such directory", dir.display());
        return Ok(ExitCode::BadInput);
    }
    if !status_path.is_file() || !preset_path.is_file() {
        eprintln!(
            "mkd-tui: {}: not a run directory (expected status.json and preset.yaml in it)",
            dir.display()
        );
        return Ok(ExitCode::BadInput);
    }
    let run_dir = match RunDir::open(dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("mkd-tui: {e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let lock = match RunLock::acquire(dir) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("mkd-tui: {e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let status = Status::read(&status_path)?;
    if status.state == RunState::Finished {
        eprintln!(
            "mkd-tui: {}: the run has finished; its report is {}",
            dir.display(),
            run_dir.report_md_path().display()
        );
        return Ok(ExitCode::BadInput);
    }
    let overrides = match super::device::with_device(&[], args.device) {
        Ok(o) => o,
        Err(line) => {
            eprintln!("{line}");
            return Ok(ExitCode::BadInput);
        }
    };
    let loaded = match crate::preset::load(&preset_path, &overrides) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let plan = Plan::new(&loaded.preset);
    let (point, warnings) = resume::find(&run_dir)?;
    for w in &warnings {
        eprintln!("mkd-tui: warning: {w}");
    }
    let (link, worker) = match point {
        Some(point) => {
            eprintln!(
                "mkd-tui: resuming {} after epoch {} of {} ({})",
                dir.display(),
                point.state.epoch,
                point.state.model,
                point.path.display()
            );
            session::spawn_resumed(plan, run_dir.clone(), point, warnings)?
        }
        None => {
            eprintln!(
                "mkd-tui: {}: no checkpoint to continue from; starting the run again from its beginning",
                dir.display()
            );
            session::spawn(plan, run_dir.clone())?
        }
    };
    let headless = args.headless || !std::io::stdout().is_terminal();
    super::run::drive(link, worker, &run_dir, headless, &loaded.preset.name, lock)
}
