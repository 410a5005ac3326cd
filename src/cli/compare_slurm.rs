//! `compare --executor slurm` and `compare --collect DIR`: submit a comparison's runs as Slurm
//! tasks (only those not finished, nor waiting or running already), wait for them or leave, and
//! write the table.

use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use crossbeam_channel::Receiver;

use super::args::{CompareArgs, Executor};
use super::output::TerminalOrLog;
use super::ExitCode;
use crate::compare::slurm::{self, Header, SubmitOptions, TaskFile, TaskStatus, WaitEnd};
use crate::compare::Arm;
use crate::preset::Preset;
use crate::signals::Signal;

/// The comparison as `compare` prepared it (see `super::compare`).
pub struct Comparison<'a> {
    pub preset: &'a Preset,
    pub all_arms: &'a [(u64, Vec<Arm>)],
    pub order: &'a [String],
    pub seeds: &'a [u64],
    pub teacher_shared: bool,
}

/// Submit what of the comparison in `out` has not finished and is not waiting or running, then
/// wait for every task (or leave at once with `--detach`).
pub fn submit_and_wait(
    args: &CompareArgs,
    out: &Path,
    comparison: &Comparison,
    say: &mut dyn std::io::Write,
    signals: &Receiver<Signal>,
) -> anyhow::Result<ExitCode> {
    let (options, every) = match (options(args), poll_every(args)) {
        (Ok(o), Ok(p)) => (o, p),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("mkd-tui: {e}");
            return Ok(ExitCode::BadInput);
        }
    };
    // Absolute: the tasks run in another working directory, maybe on another machine.
    let out = std::path::absolute(out)?;
    let header = Header {
        preset: comparison.preset,
        order: comparison.order,
        seeds: comparison.seeds,
        teacher_shared: comparison.teacher_shared,
    };
    let (mut file, presets) = slurm::plan(&header, comparison.all_arms, &out);
    // A rerun: the earlier submissions are looked at, and not repeated while they wait or run.
    if let Ok(earlier) = TaskFile::load(&out) {
        for (task, old) in file.tasks.iter_mut().zip(&earlier.tasks) {
            if task.run_dir == old.run_dir {
                task.job = old.job.clone();
            }
        }
    }
    let status = match slurm::statuses(&out, &file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mkd-tui: asking Slurm about earlier tasks: {e}");
            return Ok(ExitCode::Failure);
        }
    };
    let submitted = slurm::submit(&out, &mut file, &presets, &status, &options);
    // Saved also after a failed sbatch: the arrays that were submitted are recorded.
    file.save(&out)?;
    let submitted = match submitted {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(say, "mkd-tui: submitting to Slurm: {e}");
            return Ok(ExitCode::Failure);
        }
    };
    let kept = status
        .iter()
        .filter(|s| matches!(s, TaskStatus::Finished(_)))
        .count();
    let waiting = status.iter().filter(|s| s.active()).count();
    let jobs: Vec<String> = submitted
        .iter()
        .filter_map(|&i| file.tasks[i].job.as_ref().map(|j| j.id()))
        .collect();
    let _ = writeln!(
        say,
        "mkd-tui: {} of {} runs submitted to Slurm ({}){}{}; logs in {}",
        submitted.len(),
        file.tasks.len(),
        if jobs.is_empty() {
            "none".to_string()
        } else {
            jobs.join(" ")
        },
        if kept > 0 {
            format!(", {kept} finished runs kept")
        } else {
            String::new()
        },
        if waiting > 0 {
            format!(", {waiting} submitted earlier still waiting or running")
        } else {
            String::new()
        },
        out.join(slurm::tasks::FOLDER).join("logs").display()
    );
    if args.detach {
        let status = slurm::statuses(&out, &file).map_err(anyhow::Error::msg)?;
        slurm::write_table(&out, &slurm::watch::table(&file, &status)?)?;
        println!("{}", out.display());
        let _ = writeln!(
            say,
            "mkd-tui: the tasks run without this process; watch with `mkd-tui ls --runs {}/seed-<seed>`, \
             assemble the table with `mkd-tui compare --collect {}`",
            out.display(),
            out.display()
        );
        return Ok(ExitCode::Success);
    }
    finish(&out, &file, every, say, signals)
}

/// `compare --collect DIR`: wait for the comparison's Slurm tasks and write its table.
pub fn collect(dir: &Path, args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let every = match poll_every(args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("mkd-tui: {e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let out = std::path::absolute(dir)?;
    if !out.is_dir() {
        eprintln!(
            "mkd-tui: --collect {}: no such folder (expected a comparison's folder)",
            dir.display()
        );
        return Ok(ExitCode::BadInput);
    }
    if crate::compare::is_comparison(&out) && !TaskFile::path(&out).is_file() {
        eprintln!(
            "mkd-tui: --collect {}: a local comparison (no Slurm tasks): `mkd-tui attach {}` shows it, the same compare command continues it",
            dir.display(),
            dir.display()
        );
        return Ok(ExitCode::BadInput);
    }
    let file = match TaskFile::load(&out) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("mkd-tui: --collect: {e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let signals = crate::signals::listen(|| {});
    let mut say = TerminalOrLog::new(out.join("compare.log"));
    finish(&out, &file, every, &mut say, &signals)
}

/// Wait for the tasks, then say how the comparison stands; the exit code is 0 only when every run
/// finished.
fn finish(
    out: &Path,
    file: &TaskFile,
    every: Duration,
    say: &mut dyn std::io::Write,
    signals: &Receiver<Signal>,
) -> anyhow::Result<ExitCode> {
    let (table, end) = slurm::wait(out, file, every, say, signals)?;
    match end {
        WaitEnd::Done { unfinished: 0 } => {
            if !crate::signals::hung_up() {
                let _ = writeln!(std::io::stdout(), "{}", table.to_markdown());
            }
            let _ = writeln!(say, "mkd-tui: comparison in {}", out.display());
            Ok(ExitCode::Success)
        }
        WaitEnd::Done { unfinished } => {
            let _ = writeln!(
                say,
                "mkd-tui: {unfinished} of {} runs did not finish (\"Tasks not finished\" in {}); \
                 the same compare command resubmits them",
                file.tasks.len(),
                out.join("compare.md").display()
            );
            Ok(ExitCode::Failure)
        }
        WaitEnd::Left => {
            let jobs: std::collections::BTreeSet<String> = file
                .tasks
                .iter()
                .filter_map(|t| t.job.as_ref().map(|j| j.array_job.to_string()))
                .collect();
            let _ = writeln!(
                say,
                "mkd-tui: left; the Slurm tasks go on. `mkd-tui compare --collect {}` waits for \
                 them again, `scancel {}` cancels them",
                out.display(),
                jobs.into_iter().collect::<Vec<_>>().join(" ")
            );
            Ok(ExitCode::Aborted)
        }
    }
}

/// Why a local comparison must not continue the folder `out`: Slurm tasks of it still wait or
/// run, and the local loop would redo their runs under them. `None` for `--executor slurm`, a
/// folder without Slurm tasks, or where Slurm cannot be asked (nothing of it runs here then).
pub fn still_on_slurm(out: &Path, executor: Executor) -> Option<String> {
    if executor == Executor::Slurm {
        return None;
    }
    let file = TaskFile::load(out).ok()?;
    let status = slurm::statuses(out, &file).ok()?;
    let active: Vec<String> = file
        .tasks
        .iter()
        .zip(&status)
        .filter(|(_, s)| s.active())
        .filter_map(|(t, _)| t.job.as_ref().map(|j| j.id()))
        .collect();
    (!active.is_empty()).then(|| {
        format!(
            "{}: {} of its runs still wait or run on Slurm ({}); continue it with --executor slurm or `mkd-tui compare --collect {}`, or scancel them first",
            out.display(),
            active.len(),
            active.join(" "),
            out.display()
        )
    })
}

/// `--slurm-exe` (default: this executable) and `--slurm-args`.
fn options(args: &CompareArgs) -> Result<SubmitOptions, String> {
    let exe = match &args.slurm_exe {
        // A bare name is the node's PATH's business; a path is made absolute.
        Some(p) if p.components().count() == 1 => p.clone(),
        Some(p) => {
            std::path::absolute(p).map_err(|e| format!("--slurm-exe {}: {e}", p.display()))?
        }
        None => std::env::current_exe()
            .map_err(|e| format!("the path of this executable (give --slurm-exe): {e}"))?,
    };
    let sbatch_args = match &args.slurm_args {
        Some(s) => {
            shlex::split(s).ok_or_else(|| format!("--slurm-args `{s}`: unbalanced quotes"))?
        }
        None => Vec::new(),
    };
    Ok(SubmitOptions { exe, sbatch_args })
}

/// `--slurm-poll`, checked.
fn poll_every(args: &CompareArgs) -> Result<Duration, String> {
    let seconds = args
        .slurm_poll
        .unwrap_or(super::compare_args_check::DEFAULT_SLURM_POLL_S);
    Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("--slurm-poll {seconds}: expected a number of seconds above 0"))
}
